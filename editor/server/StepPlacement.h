// Where a step-placed method acts in the schedule: the steps its placing
// parameters (layer_freezing's start and end, swa's start, progressive_resize's
// until, ...) come to for the recipe's budget, batch size and dataset size,
// resolved as the compiler resolves them for the plan.
#pragma once

#include "compiler/plan/Plan.h"
#include "compiler/sema/CheckedRecipe.h"

#include <cstdint>
#include <optional>
#include <string>

namespace fiver::lsp {

struct StepSpan {
  int64_t first = 0;  // the step it starts at
  int64_t last = 0;   // the step it ends at (the run's last step when it runs on)
  bool point = false; // acts once, at `first` (a scoring run's end)
};

// The span of `method` under `training`; nullopt for methods that are not
// placed in the schedule (they act on every step).
std::optional<StepSpan> stepSpan(const MethodUse& method, const plan::Training& training);

// "steps 423–634 of 1055", or "at step 47 of 1055".
std::string stepSpanLabel(const StepSpan& span, const plan::Training& training);

} // namespace fiver::lsp
