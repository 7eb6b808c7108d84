// The runtime hook of stochastic_depth: a pure function (usable and testable alone)
// plus the Method that calls it on its events.
#pragma once

#include "runtime/train/Method.h"

#include <map>
#include <string>
#include <vector>

namespace fiver::runtime {

// --- stochastic_depth: residual branches skipped at random while training ---
double branchDropProbability(double drop, size_t index, size_t count);

class StochasticDepth : public Method {
public:
  explicit StochasticDepth(double drop) : drop_(drop) {}
  bool match(Event e, const TrainState&) const override {
    return e == Event::BeforeForward || e == Event::AfterForward;
  }
  void apply(Event e, TrainState& s) override;
  size_t droppedCount() const { return droppedCount_; } // branches skipped so far

private:
  double drop_;
  size_t droppedCount_ = 0;
};

} // namespace fiver::runtime
