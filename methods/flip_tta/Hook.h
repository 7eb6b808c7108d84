// The runtime hook of flip_tta: a pure function (usable and testable alone)
// plus the Method that calls it on its events.
#pragma once

#include "runtime/data/Sampler.h"
#include "runtime/methods/DataSeams.h"
#include "runtime/train/Method.h"

#include <map>
#include <string>
#include <vector>

namespace fiver::runtime {

// --- flip_tta: evaluation averages the logits of each image and its mirror ---
class FlipTta : public Method {
public:
  bool match(Event e, const TrainState&) const override { return e == Event::EvalStart; }
  void apply(Event, TrainState& s) override { s.flipAtEvaluation = true; }
};

} // namespace fiver::runtime
