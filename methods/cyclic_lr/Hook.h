// The runtime hook of cyclic_lr: a pure function (usable and testable alone)
// plus the Method that calls it on its events.
#pragma once

#include "runtime/methods/OptimizedParameters.h"
#include "runtime/train/Method.h"

#include <map>
#include <string>
#include <vector>

namespace fiver::runtime {

// --- cyclic_lr: triangular cycles between peak / divFactor and peak ---
// mode: triangular (constant amplitude), triangular2 (halved every cycle),
// exp_range (amplitude decays continuously, halving once per cycle).
double cyclicLearningRate(int64_t step, double peak, double divFactor, int64_t cycleSteps,
                          const std::string& mode);

class CyclicLr : public Method {
public:
  CyclicLr(double peak, double divFactor, int64_t cycleSteps, std::string mode);
  bool match(Event e, const TrainState&) const override { return e == Event::BeforeForward; }
  void apply(Event e, TrainState& s) override;

private:
  double peak_, divFactor_;
  int64_t cycle_;
  std::string mode_;
};

} // namespace fiver::runtime
