// The runtime hook of dirac_init: a pure function (usable and testable alone)
// plus the Method that calls it before the first step.
#pragma once

#include "runtime/train/Method.h"

namespace fiver::runtime {

// --- dirac_init: convolutions start as a partial identity ---
// In every convolution with one group and a square, odd kernel, filter d
// (d < min(in, out)) becomes the identity on input channel d. Returns how
// many convolutions it changed.
int diracInitialize(PlanModel& model);

class DiracInit : public Method {
public:
  // FIT_START: after every initializer that draws at INIT (kaiming_init,
  // orthogonal_init), before the first step.
  bool match(Event e, const TrainState&) const override { return e == Event::FitStart; }
  void apply(Event, TrainState& s) override { diracInitialize(s.model); }
};

} // namespace fiver::runtime
