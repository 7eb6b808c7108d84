// Lowering: the rewritten training graph becomes a self-contained plan. Every
// value is resolved here: percentages become fractions, durations become
// steps, booleans 0/1, names strings. The runtime decides nothing.
#pragma once

#include "compiler/ir/TrainingGraph.h"
#include "compiler/plan/Plan.h"

namespace fiver {

plan::Plan lower(const ir::TrainingGraph& graph);

// A checked value as a plan scalar; durations relative to the timeline.
plan::Scalar lowerValue(const Value& v, const ir::Timeline& timeline);

} // namespace fiver
