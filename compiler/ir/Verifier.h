// Checks the invariants every pass must keep: ops in topological order (each
// op's inputs come before it), the right number of inputs per kind, shapes
// consistent with the inputs, unique names.
#pragma once

#include "compiler/ir/TrainingGraph.h"

#include <string>
#include <vector>

namespace fiver::ir {

// Returns the problems found; empty when the graph is well formed.
std::vector<std::string> verifyGraph(const TrainingGraph& g);

} // namespace fiver::ir
