// The runtime hook of gradual_magnitude_pruning: a pure function (usable and testable alone)
// plus the Method that calls it on its events.
#pragma once

#include "runtime/methods/OptimizedParameters.h"
#include "runtime/train/Method.h"

#include <map>
#include <string>
#include <vector>

namespace fiver::runtime {

// --- gradual_magnitude_pruning: cubic sparsity ramp, masks kept after steps ---
// Zhu and Gupta: final * (1 - (1 - progress)^3), progress from startStep to endStep.
double prunedFraction(int64_t stepsDone, int64_t startStep, int64_t endStep, double finalSparsity);
// A 0/1 mask that zeroes the `fraction` smallest-magnitude entries of `weight`.
torch::Tensor magnitudeMask(const torch::Tensor& weight, double fraction);

class GradualMagnitudePruning : public Method {
public:
  GradualMagnitudePruning(double finalSparsity, int64_t startStep, int64_t endStep,
                          int64_t frequency);
  bool match(Event e, const TrainState&) const override { return e == Event::AfterOptimizerStep; }
  void apply(Event e, TrainState& s) override;
  void saveState(MethodState& out) const override;
  void loadState(const MethodState& in) override;
  double currentSparsity() const { return sparsity_; } // the target last applied

private:
  double final_;
  int64_t start_, end_, frequency_;
  double sparsity_ = 0;
  std::map<std::string, torch::Tensor> masks_; // by op name, conv and linear weights
};

} // namespace fiver::runtime
