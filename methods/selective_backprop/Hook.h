// The runtime hook of selective_backprop: a pure function (usable and testable alone)
// plus the Method that calls it on its events.
#pragma once

#include "runtime/data/Sampler.h"
#include "runtime/methods/DataSeams.h"
#include "runtime/train/Method.h"

#include <map>
#include <string>
#include <vector>

namespace fiver::runtime {

// --- selective_backprop: only the highest-loss examples reach backward ---
// Per-example loss of `output` against soft `targets` when defined, else `labels`.
torch::Tensor perExampleLoss(const torch::Tensor& output, const torch::Tensor& labels,
                             const torch::Tensor& targets);
// Indices of the ceil(keep x B) highest losses.
torch::Tensor highestLosses(const torch::Tensor& losses, double keep);

class SelectiveBackprop : public Method {
public:
  SelectiveBackprop(double keep, int64_t startStep, int64_t endStep, int64_t interrupt)
      : keep_(keep), startStep_(startStep), endStep_(endStep), interrupt_(interrupt) {}
  bool match(Event e, const TrainState& s) const override;
  void apply(Event e, TrainState& s) override;
  int64_t selectedSteps() const { return selectedSteps_; }

private:
  double keep_;
  int64_t startStep_, endStep_, interrupt_;
  int64_t selectedSteps_ = 0;
};

} // namespace fiver::runtime
