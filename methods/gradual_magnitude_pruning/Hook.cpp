#include "methods/gradual_magnitude_pruning/Hook.h"
#include "runtime/methods/HookRegistry.h"

#include "compiler/plan/OpKinds.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace fiver::runtime {

double prunedFraction(int64_t stepsDone, int64_t startStep, int64_t endStep, double finalSparsity) {
  if (stepsDone < startStep) return 0;
  const double span = static_cast<double>(std::max<int64_t>(1, endStep - startStep));
  const double progress = std::clamp(static_cast<double>(stepsDone - startStep) / span, 0.0, 1.0);
  return finalSparsity * (1 - std::pow(1 - progress, 3));
}

torch::Tensor magnitudeMask(const torch::Tensor& weight, double fraction) {
  torch::NoGradGuard noGrad;
  const int64_t count = weight.numel();
  const int64_t pruned = static_cast<int64_t>(std::floor(fraction * static_cast<double>(count)));
  if (pruned <= 0) return torch::ones_like(weight);
  // Rank by magnitude so that ties never prune more or fewer than asked.
  torch::Tensor order = weight.abs().flatten().argsort();
  torch::Tensor mask = torch::ones({count}, weight.options());
  mask.index_fill_(0, order.narrow(0, 0, pruned), 0);
  return mask.view(weight.sizes());
}

GradualMagnitudePruning::GradualMagnitudePruning(double finalSparsity, int64_t startStep,
                                                 int64_t endStep, int64_t frequency)
    : final_(finalSparsity), start_(startStep), end_(std::max(startStep, endStep)),
      frequency_(std::max<int64_t>(1, frequency)) {
  if (finalSparsity < 0 || finalSparsity >= 1)
    throw std::runtime_error("gradual_magnitude_pruning: final_sparsity must be in [0%, 100%)");
}

void GradualMagnitudePruning::apply(Event, TrainState& s) {
  const int64_t done = s.step + 1; // optimizer steps taken, this one included
  const bool onSchedule = done >= start_ && (done - start_) % frequency_ == 0;
  const bool reachesEnd = done >= end_ && sparsity_ < final_;
  if (done >= start_ && (onSchedule || reachesEnd)) {
    sparsity_ = prunedFraction(done, start_, end_, final_);
    for (const plan::Op& op : s.model->ops()) {
      if (!plan::ownsWeightMatrix(op)) continue;
      masks_[op.name] = magnitudeMask(s.model->parametersOf(op.name)[0], sparsity_);
    }
  }
  // Pruned weights stay zero whatever the optimizer did.
  torch::NoGradGuard noGrad;
  for (const auto& [name, mask] : masks_)
    s.model->parametersOf(name)[0].mul_(mask);
}

void GradualMagnitudePruning::saveState(MethodState& out) const {
  out["sparsity"] = torch::tensor(sparsity_, torch::kFloat64);
  for (const auto& [name, mask] : masks_)
    out["mask." + name] = mask;
}

void GradualMagnitudePruning::loadState(const MethodState& in) {
  sparsity_ = in.at("sparsity").item<double>();
  masks_.clear();
  for (const auto& [key, tensor] : in)
    if (key.rfind("mask.", 0) == 0) masks_[key.substr(5)] = tensor.clone();
}

namespace {
const HookRegistrar kHook("gradual_magnitude_pruning", [](const MethodArgs& args) {
  return std::make_unique<GradualMagnitudePruning>(args.number("final_sparsity"),
                                                   args.budgetStep("start"), args.budgetStep("end"),
                                                   args.integer("frequency"));
});
} // namespace

} // namespace fiver::runtime
