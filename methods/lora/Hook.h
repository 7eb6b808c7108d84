// The runtime hook of lora: a pure function (usable and testable alone) plus
// the Method that calls it before the first step.
#pragma once

#include "runtime/train/Method.h"

namespace fiver::runtime {

// --- lora: adapted layers freeze, their updates start at zero ---
// For every adapter of the model's plan (compiler/plan/LowRankAdapters.h):
// the base layer's weight and bias stop training, and the up projection is
// zeroed, so the adapted model computes what the base model does until the
// first step. Returns the plan indices of the frozen layers.
std::vector<int> attachLowRankAdapters(PlanModel& model);

class Lora : public Method {
public:
  // FIT_START: after the weights are built or imported (INIT), before the
  // first step; a resumed run's checkpoint overwrites the zeroed projections.
  bool match(Event e, const TrainState&) const override { return e == Event::FitStart; }
  void apply(Event e, TrainState& s) override;
};

} // namespace fiver::runtime
