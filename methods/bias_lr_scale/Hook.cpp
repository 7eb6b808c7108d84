#include "methods/bias_lr_scale/Hook.h"
#include "runtime/methods/HookRegistry.h"

#include "runtime/optim/CompactStateOptimizer.h"
#include "runtime/optim/Lamb.h"
#include "runtime/optim/Lars.h"
#include "runtime/optim/Muon.h"

#include <set>
#include <stdexcept>

namespace fiver::runtime {

std::vector<torch::Tensor> biasParameters(PlanModel& model) {
  std::vector<torch::Tensor> out;
  for (const auto& p : model->named_parameters())
    if (p.value().dim() == 1 && p.key().ends_with("bias")) out.push_back(p.value());
  return out;
}

namespace {

// Options types keep their weight decay in a field of their own.
template <class Options> bool divideDecay(torch::optim::OptimizerOptions& o, double by) {
  auto* typed = dynamic_cast<Options*>(&o);
  if (typed) typed->weight_decay(typed->weight_decay() / by);
  return typed != nullptr;
}

void divideWeightDecay(torch::optim::OptimizerOptions& o, double by) {
  divideDecay<torch::optim::SGDOptions>(o, by) || divideDecay<torch::optim::AdamWOptions>(o, by) ||
      divideDecay<torch::optim::AdamOptions>(o, by) || divideDecay<MuonOptions>(o, by) ||
      divideDecay<LambOptions>(o, by) || divideDecay<LarsOptions>(o, by) ||
      divideDecay<CompactStateOptions>(o, by);
}

} // namespace

BiasGroups separateBiases(torch::optim::Optimizer& opt, const std::vector<torch::Tensor>& biases,
                          double scale) {
  std::set<const void*> isBias;
  for (const torch::Tensor& b : biases)
    isBias.insert(b.unsafeGetTensorImpl());
  auto& groups = opt.param_groups();
  const size_t original = groups.size();
  BiasGroups out;
  std::optional<size_t> reference;
  for (size_t g = 0; g < original; ++g) {
    std::vector<torch::Tensor> kept, moved;
    for (const torch::Tensor& p : groups[g].params())
      (isBias.count(p.unsafeGetTensorImpl()) ? moved : kept).push_back(p);
    if (moved.empty()) {
      if (!reference && !kept.empty()) reference = g;
      continue;
    }
    if (kept.empty()) { // biases only: the group itself is scaled
      divideWeightDecay(groups[g].options(), scale);
      out.scaled.push_back(g);
      continue;
    }
    if (!reference) reference = g; // keeps its rate; only its biases leave
    std::unique_ptr<torch::optim::OptimizerOptions> options = groups[g].options().clone();
    divideWeightDecay(*options, scale);
    groups[g].params() = std::move(kept);
    // Appended directly: add_param_group refuses parameters that already have
    // state (an optimizer that makes its state at construction).
    groups.emplace_back(std::move(moved), std::move(options));
    out.scaled.push_back(groups.size() - 1);
  }
  if (!reference)
    throw std::runtime_error(
        "bias_lr_scale: every parameter group holds only biases; no rate to scale");
  out.reference = *reference;
  return out;
}

void scaleBiasRates(torch::optim::Optimizer& opt, const BiasGroups& groups, double scale) {
  auto& all = opt.param_groups();
  const double rate = all.at(groups.reference).options().get_lr();
  for (size_t g : groups.scaled)
    all.at(g).options().set_lr(scale * rate);
}

BiasLrScale::BiasLrScale(double scale) : scale_(scale) {
  if (!(scale_ > 0)) throw std::runtime_error("bias_lr_scale: scale must be positive");
}

void BiasLrScale::apply(Event e, TrainState& s) {
  if (e == Event::FitStart) {
    if (!groups_) groups_ = separateBiases(s.optimizer, biasParameters(s.model), scale_);
    return;
  }
  if (groups_) scaleBiasRates(s.optimizer, *groups_, scale_);
}

namespace {
const HookRegistrar kHook("bias_lr_scale", [](const MethodArgs& args) {
  return std::make_unique<BiasLrScale>(args.number("scale"));
});
} // namespace

} // namespace fiver::runtime
