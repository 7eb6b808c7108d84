// The runtime hook of bce_for_mixup: a pure function (usable and testable alone)
// plus the Method that calls it on its events.
#pragma once

#include "runtime/data/Sampler.h"
#include "runtime/methods/DataSeams.h"
#include "runtime/train/Method.h"

#include <map>
#include <string>
#include <vector>

namespace fiver::runtime {

// --- bce_for_mixup: per-class binary cross-entropy on soft targets ---
// Sum over classes, mean over the batch, of BCE(sigmoid(output), t), where t is `targets`
// smoothed towards 1/classes by `smoothing` and, when threshold > 0, set to 1
// where above it and 0 elsewhere.
torch::Tensor binaryCrossEntropyLoss(const torch::Tensor& output, const torch::Tensor& targets,
                                     double smoothing, double threshold);

class BceForMixup : public Method {
public:
  BceForMixup(double smoothing, double threshold) : smoothing_(smoothing), threshold_(threshold) {}
  bool match(Event e, const TrainState&) const override { return e == Event::AfterLoss; }
  void apply(Event e, TrainState& s) override;

private:
  double smoothing_, threshold_;
};

} // namespace fiver::runtime
