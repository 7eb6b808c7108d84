// The runtime hook of cutmix: a pure function (usable and testable alone)
// plus the Method that calls it on its events.
#pragma once

#include "methods/mixup/Hook.h"
#include "runtime/train/Method.h"

#include <map>
#include <string>
#include <vector>

namespace fiver::runtime {

// Rows [top, bottom) and columns [left, right) pasted from the partner image.
struct CutBox {
  int64_t top = 0, bottom = 0, left = 0, right = 0;
};
// A box of area (1 - lambda) * height * width centred at the given fractions,
// clipped to the image.
CutBox cutBox(int64_t height, int64_t width, double lambda, double centerY, double centerX);

class CutMix : public Method {
public:
  explicit CutMix(double alpha) : alpha_(alpha) {}
  bool match(Event e, const TrainState&) const override { return e == Event::AfterData; }
  void apply(Event e, TrainState& s) override;
  double lastLambda() const { return lastLambda_; }

private:
  double alpha_;
  double lastLambda_ = 1;
};

} // namespace fiver::runtime
