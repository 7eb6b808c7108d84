// The runtime hook of translate_tta: the Method that turns shifted views on
// for every evaluation (the views themselves: runtime/metrics/FlipTta.h).
#pragma once

#include "runtime/train/Method.h"

namespace fiver::runtime {

// --- translate_tta: evaluation also averages images shifted by `pixels` ---
class TranslateTta : public Method {
public:
  explicit TranslateTta(int64_t pixels) : pixels_(pixels) {}
  bool match(Event e, const TrainState&) const override { return e == Event::EvalStart; }
  void apply(Event, TrainState& s) override { s.translateAtEvaluation = pixels_; }

private:
  int64_t pixels_;
};

} // namespace fiver::runtime
