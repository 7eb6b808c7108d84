#include "runtime/optim/FusedSgd.h"

#include "runtime/TorchCompat.h"
#include "runtime/kernels/CpuFusedOptimizer.h"
#include "runtime/kernels/CudaFusedOptimizer.h"

namespace fiver::runtime {

struct FusedSgd::GroupStep {
  torch::optim::SGDOptions* options = nullptr;
  FusedGroup tensors;
  kernels::CpuOptimizerSpec spec;
  kernels::CpuOptimizerFn kernel = nullptr; // CPU groups
};

// Checks everything before any tensor changes, so a step that falls back
// starts from untouched state.
std::optional<FusedSgd::GroupStep> FusedSgd::prepare(torch::optim::OptimizerParamGroup& group,
                                                     std::string& why) {
  GroupStep s;
  s.options = &static_cast<torch::optim::SGDOptions&>(group.options());
  std::optional<FusedGroup> tensors = fusedGroup(group, why);
  if (!tensors) return std::nullopt;
  s.tensors = std::move(*tensors);
  s.spec.kind = kernels::FusedOptimizerKind::Sgd;
  s.spec.momentum = s.options->momentum() != 0;
  s.spec.nesterov = s.spec.momentum && s.options->nesterov();
  s.spec.weightDecay = s.options->weight_decay() != 0;
  if (s.spec.momentum)
    for (const torch::Tensor& p : s.tensors.params) {
      auto it = state_.find(torchcompat::optimizerStateKey(p));
      if (it == state_.end()) continue;
      auto& st = static_cast<torch::optim::SGDParamState&>(*it->second);
      torch::Tensor buffer = st.momentum_buffer();
      why = matchParamLayout(p, buffer);
      if (!why.empty()) return std::nullopt;
      st.momentum_buffer(buffer);
    }
  if (s.tensors.cuda) {
    if (s.options->dampening() != 0)
      return why = "momentum dampening (the CUDA kernel has none)", std::nullopt;
    return s;
  }
  s.kernel = kernels::cpuOptimizerKernel(s.spec, why);
  if (!s.kernel) return std::nullopt;
  return s;
}

void FusedSgd::run(GroupStep& s) {
  const torch::optim::SGDOptions& o = *s.options;
  std::vector<std::vector<torch::Tensor>> entries;
  std::vector<std::pair<float, float>> scales;
  for (const torch::Tensor& p : s.tensors.params) {
    if (!s.spec.momentum) {
      entries.push_back({p, p.grad()});
      scales.emplace_back(0.0f, 0.0f);
      continue;
    }
    const auto key = torchcompat::optimizerStateKey(p);
    auto it = state_.find(key);
    if (it == state_.end()) {
      // First step: SGD sets the buffer to the gradient; from zero with a
      // buffer scale of 0 and gradient scale of 1 the kernel does the same.
      auto st = std::make_unique<torch::optim::SGDParamState>();
      st->momentum_buffer(torch::zeros_like(p));
      entries.push_back({p, p.grad(), st->momentum_buffer()});
      scales.emplace_back(0.0f, 1.0f);
      state_[key] = std::move(st);
    } else {
      auto& st = static_cast<torch::optim::SGDParamState&>(*it->second);
      entries.push_back({p, p.grad(), st.momentum_buffer()});
      scales.emplace_back(static_cast<float>(o.momentum()), static_cast<float>(1 - o.dampening()));
    }
  }
  if (s.tensors.cuda) {
    kernels::runCudaSgd(entries, {o.lr(), o.momentum(), o.weight_decay(), s.spec.nesterov});
    return;
  }
  kernels::OptimizerStepTable table(s.spec.slots());
  for (size_t i = 0; i < entries.size(); ++i)
    table.add(entries[i], scales[i].first, scales[i].second);
  kernels::runCpuOptimizer(s.kernel, table,
                           {static_cast<float>(o.weight_decay()), static_cast<float>(o.momentum()),
                            static_cast<float>(-1 * o.lr())});
}

torch::Tensor FusedSgd::step(LossClosure closure) {
  return fusedOptimizerStep<GroupStep>(
      param_groups_, closure,
      [this](torch::optim::OptimizerParamGroup& group, std::string& why) {
        return prepare(group, why);
      },
      [this](GroupStep& s) { run(s); },
      [this](const std::string& why) {
        fallback_.note("SGD", why);
        torch::optim::SGD::step();
      });
}

} // namespace fiver::runtime
