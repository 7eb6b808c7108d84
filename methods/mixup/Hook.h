// The runtime hook of mixup: a pure function (usable and testable alone)
// plus the Method that calls it on its events.
#pragma once

#include "runtime/train/Method.h"

#include <map>
#include <string>
#include <vector>

namespace fiver::runtime {

// --- mixup and cutmix: train on pairs of examples with mixed soft targets ---
// A Beta(alpha, alpha) draw from torch's (seeded) generator.
double sampleBeta(double alpha);
// lambda * onehot(labels) + (1 - lambda) * onehot(labels[permutation]).
torch::Tensor mixTargets(const torch::Tensor& labels, const torch::Tensor& permutation,
                         int64_t classes, double lambda);
torch::Tensor mixupBatch(const torch::Tensor& images, const torch::Tensor& permutation,
                         double lambda);

class Mixup : public Method {
public:
  explicit Mixup(double alpha) : alpha_(alpha) {}
  bool match(Event e, const TrainState&) const override { return e == Event::AfterData; }
  void apply(Event e, TrainState& s) override;
  double lastLambda() const { return lastLambda_; }

private:
  double alpha_;
  double lastLambda_ = 1;
};

} // namespace fiver::runtime
