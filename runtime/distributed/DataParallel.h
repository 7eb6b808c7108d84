// Data-parallel training as a method on the training events: every rank starts
// from rank 0's weights, computes gradients on its own shard of the batch, and
// the ranks average their gradients before the optimizer step, so that all
// ranks take the same step. Frozen parameters (no gradient) are left out of
// the all-reduce, which is where layer freezing saves communication.
#pragma once

#include "runtime/train/Method.h"

namespace fiver::runtime::distributed {

class DataParallel : public Method {
public:
  bool match(Event e, const TrainState&) const override {
    return e == Event::FitStart || e == Event::BatchStart || e == Event::AfterBackward ||
           e == Event::EvalStart;
  }
  void apply(Event e, TrainState& s) override;
};

} // namespace fiver::runtime::distributed
