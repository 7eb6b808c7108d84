#include "runtime/optim/FusedAdamW.h"

#include "runtime/TorchCompat.h"
#include "runtime/kernels/CpuFusedOptimizer.h"
#include "runtime/kernels/CudaFusedOptimizer.h"

#include <cmath>
#include <map>

namespace fiver::runtime {

struct FusedAdamW::GroupStep {
  torch::optim::AdamWOptions* options = nullptr;
  FusedGroup tensors;
  kernels::CpuOptimizerSpec spec;
  kernels::CpuOptimizerFn kernel = nullptr; // CPU groups
};

// Checks everything before any tensor changes, so a step that falls back
// starts from untouched state.
std::optional<FusedAdamW::GroupStep> FusedAdamW::prepare(torch::optim::OptimizerParamGroup& group,
                                                         std::string& why) {
  GroupStep s;
  s.options = &static_cast<torch::optim::AdamWOptions&>(group.options());
  if (s.options->amsgrad()) return why = "amsgrad", std::nullopt;
  std::optional<FusedGroup> tensors = fusedGroup(group, why);
  if (!tensors) return std::nullopt;
  s.tensors = std::move(*tensors);
  s.spec.kind = kernels::FusedOptimizerKind::AdamW;
  s.spec.weightDecay = s.options->weight_decay() != 0;
  for (const torch::Tensor& p : s.tensors.params) {
    auto it = state_.find(torchcompat::optimizerStateKey(p));
    if (it == state_.end()) continue;
    auto& st = static_cast<torch::optim::AdamWParamState&>(*it->second);
    torch::Tensor m = st.exp_avg(), v = st.exp_avg_sq();
    why = matchParamLayout(p, m);
    if (why.empty()) why = matchParamLayout(p, v);
    if (!why.empty()) return std::nullopt;
    st.exp_avg(m);
    st.exp_avg_sq(v);
  }
  if (s.tensors.cuda) return s;
  s.kernel = kernels::cpuOptimizerKernel(s.spec, why);
  if (!s.kernel) return std::nullopt;
  return s;
}

void FusedAdamW::run(GroupStep& s) {
  const torch::optim::AdamWOptions& o = *s.options;
  const double beta1 = std::get<0>(o.betas()), beta2 = std::get<1>(o.betas());
  kernels::OptimizerStepTable table(s.spec.slots());
  // CUDA takes bias corrections per launch: one launch per step count.
  std::map<int64_t, std::vector<std::vector<torch::Tensor>>> byStep;
  for (const torch::Tensor& p : s.tensors.params) {
    const auto key = torchcompat::optimizerStateKey(p);
    auto it = state_.find(key);
    if (it == state_.end()) {
      auto st = std::make_unique<torch::optim::AdamWParamState>();
      st->step(0);
      st->exp_avg(torch::zeros_like(p, torch::MemoryFormat::Preserve));
      st->exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Preserve));
      it = state_.emplace(key, std::move(st)).first;
    }
    auto& st = static_cast<torch::optim::AdamWParamState&>(*it->second);
    st.step(st.step() + 1);
    std::vector<torch::Tensor> entry{p, p.grad(), st.exp_avg(), st.exp_avg_sq()};
    if (s.tensors.cuda) {
      byStep[st.step()].push_back(std::move(entry));
      continue;
    }
    // As AdamW: step size lr / (1 - beta1^t), denominator divided by sqrt(1 - beta2^t).
    const double correction1 = 1 - std::pow(beta1, st.step());
    const double correction2 = 1 - std::pow(beta2, st.step());
    table.add(entry, static_cast<float>(-(o.lr() / correction1)),
              static_cast<float>(std::sqrt(correction2)));
  }
  if (s.tensors.cuda) {
    for (const auto& [step, entries] : byStep)
      kernels::runCudaAdamW(entries, {o.lr(), beta1, beta2, o.eps(), o.weight_decay(),
                                      1 - std::pow(beta1, step), 1 - std::pow(beta2, step)});
    return;
  }
  kernels::runCpuOptimizer(s.kernel, table,
                           {static_cast<float>(1 - o.lr() * o.weight_decay()),
                            static_cast<float>(beta1), static_cast<float>(1 - beta1),
                            static_cast<float>(beta2), static_cast<float>(1 - beta2),
                            static_cast<float>(o.eps())});
}

torch::Tensor FusedAdamW::step(LossClosure closure) {
  return fusedOptimizerStep<GroupStep>(
      param_groups_, closure,
      [this](torch::optim::OptimizerParamGroup& group, std::string& why) {
        return prepare(group, why);
      },
      [this](GroupStep& s) { run(s); },
      [this](const std::string& why) {
        fallback_.note("AdamW", why);
        torch::optim::AdamW::step();
      });
}

} // namespace fiver::runtime
