// The runtime hook of warmup: a pure function (usable and testable alone)
// plus the Method that calls it on its events.
#pragma once

#include "runtime/methods/OptimizedParameters.h"
#include "runtime/train/Method.h"

#include <map>
#include <string>
#include <vector>

namespace fiver::runtime {

// --- warmup: the scheduled rate times a factor ramping from `from` to 1 ---
// shape: linear, or cosine (a half-cosine ramp). 1 from `length` on.
double warmupFactor(int64_t step, int64_t length, double from, const std::string& shape);

class Warmup : public Method {
public:
  Warmup(int64_t lengthSteps, double from, std::string shape);
  // After the trainer has set the scheduled rate for the step.
  bool match(Event e, const TrainState&) const override { return e == Event::BeforeForward; }
  void apply(Event e, TrainState& s) override;

private:
  int64_t length_;
  double from_;
  std::string shape_;
};

} // namespace fiver::runtime
