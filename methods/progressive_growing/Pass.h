// progressive_growing: residual blocks join the training one at a time.
//
// Requires: a progressive_growing method (start, until) and the run's total
// steps (the timeline).
// Changes: of the model's L residual adds (passes/ResidualBranches.h), in
// depth order, the first ceil(start * L) get `grow_step: 0`; the other n
// get `grow_step` = round(until * total * k / n) for k = 1..n, the step from
// which their branch trains. The runtime's progressive_growing hook skips a
// branch before its step and zeroes its last layer before the first step.
// Ops and shapes do not change.
#pragma once

#include "passes/Pass.h"

#include <cstdint>
#include <vector>

namespace fiver::passes {

class ProgressiveGrowingPass : public Pass {
public:
  std::string_view name() const override { return "progressive_growing"; }
  std::string_view enabledBy() const override { return "progressive_growing"; }
  // Grows the blocks the architecture passes leave.
  std::vector<std::string_view> runsAfter() const override {
    return {"weight_tying", "factorize", "blurpool", "squeeze_excite", "lora"};
  }
  bool run(ir::TrainingGraph& graph, DiagnosticEngine& diags) override;
};

// The step from which each of `blocks` residual branches trains, in depth
// order.
std::vector<int64_t> growSteps(size_t blocks, double start, double until, int64_t totalSteps);

} // namespace fiver::passes
