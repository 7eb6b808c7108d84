// 5rc compile --cost: what a training step costs, from the plan's ops, before
// and after the passes, and summed over the schedule, where progressive
// resolution makes early steps cheaper and frozen prefixes need no backward
// pass. The per-op figures come from compiler/plan/OpCost (shared with
// 5rc profile); this file only decides which ops count at which step.
#pragma once

#include "compiler/ir/TrainingGraph.h"

#include <cstdint>
#include <iosfwd>
#include <vector>

namespace fiver {

struct StepCost {
  double forwardFlops = 0;
  double backwardFlops = 0;
  double parameters = 0;
  double trainableParameters = 0;
  double activationBytes = 0;
  double flops() const { return forwardFlops + backwardFlops; }
};

// Steps [firstStep, endStep) share one input size and one set of frozen ops.
struct ScheduleSegment {
  int64_t firstStep = 0;
  int64_t endStep = 0;
  int64_t height = 0;
  int64_t width = 0;
  int frozenOps = 0;
  StepCost perStep;
};

struct CostReport {
  int64_t batchSize = 0;
  int64_t totalSteps = 0;
  StepCost before; // the model as built, at full size, nothing frozen
  StepCost after;  // after the passes, at full size, nothing frozen
  std::vector<ScheduleSegment> schedule;
  double scheduleFlops = 0; // sum over the schedule's steps
  double beforeFlops = 0;   // `before` times the number of steps
};

// The cost of one step of `graph` at an HxW input with the ops frozen at
// `step` (their freeze steps reached) not trained.
StepCost stepCost(const ir::TrainingGraph& graph, int64_t height, int64_t width, int64_t step);

CostReport costReport(const ir::TrainingGraph& before, const ir::TrainingGraph& after);
void printCostReport(std::ostream& os, const CostReport& report);

} // namespace fiver
