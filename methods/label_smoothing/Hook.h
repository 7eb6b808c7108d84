// The runtime hook of label_smoothing: a pure function (usable and testable alone)
// plus the Method that calls it on its events.
#pragma once

#include "runtime/train/Method.h"

#include <map>
#include <string>
#include <vector>

namespace fiver::runtime {

// --- label_smoothing: the loss sees targets mixed with the uniform distribution ---
torch::Tensor smoothTargets(const torch::Tensor& labels, int64_t classes, double smoothing);

class LabelSmoothing : public Method {
public:
  explicit LabelSmoothing(double smoothing) : smoothing_(smoothing) {}
  bool match(Event e, const TrainState&) const override {
    return e == Event::BeforeLoss || e == Event::AfterLoss;
  }
  void apply(Event e, TrainState& s) override;

private:
  double smoothing_;
  double saved_ = 0;
};

} // namespace fiver::runtime
