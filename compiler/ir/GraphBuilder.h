// Builds the training graph from a checked recipe: expands layers into ops,
// infers every op's shape from the task's input shape (shape errors are
// diagnostics at the layer's line), and lays out the training timeline.
// LayerSpec kinds: the op kinds of plan::Op, plus `sequence` (its body is
// inlined) and `residual` (body and shortcut joined by an `add`; an empty
// shortcut is the identity).
#pragma once

#include "compiler/diag/Diagnostic.h"
#include "compiler/ir/TrainingGraph.h"

#include <optional>

namespace fiver::ir {

std::optional<TrainingGraph> buildGraph(const CheckedRecipe& recipe, DiagnosticEngine& diags);

// Output shape of one op given its inputs' shapes; an error message when the
// inputs do not fit (empty string on success). Shared with the verifier.
std::string inferShape(OpNode& op, const std::vector<std::vector<int64_t>>& inputs);

// relu, gelu, silu, dropout, fused: one output shaped like the first input.
bool isElementwise(const std::string& kind);

} // namespace fiver::ir
