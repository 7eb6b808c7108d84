// Learning-rate schedules as pure functions of the step, always fitted to the
// plan's total steps: a shorter budget gets the whole schedule compressed,
// never an aborted one. Torch-free.
#pragma once

#include "compiler/plan/Plan.h"

#include <cstdint>

namespace fiver::runtime {

class LrSchedule {
public:
  LrSchedule(const plan::Call& schedule, double peakLr, int64_t totalSteps);
  // The learning rate for 0-based `step`.
  double at(int64_t step) const;

private:
  std::string kind_;
  double peak_;
  int64_t total_;
  double warmup_;    // fraction of the steps
  double divFactor_; // one_cycle: start = peak / divFactor
  double finalDiv_;  // one_cycle: end = start / finalDiv
  double every_;     // step: a drop every this fraction of the steps after warmup
  double gamma_;     // step: the factor of each drop
  double cycles_;    // cyclic: whole triangles fitted into the steps after warmup
};

} // namespace fiver::runtime
