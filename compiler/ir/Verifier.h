// Checks the invariants every pass must keep: op 0 is the input and ops are
// in topological order (each op's inputs come before it, so the graph is
// acyclic); the right number of inputs and the runtime's attributes per kind;
// shapes consistent with the inputs; unique names; memory formats and freeze
// steps that make sense; timeline events and resolution stages in order and
// within the budget and the input size.
#pragma once

#include "compiler/ir/TrainingGraph.h"

#include <string>
#include <vector>

namespace fiver::ir {

// Returns the problems found; empty when the graph is well formed.
std::vector<std::string> verifyGraph(const TrainingGraph& g);

} // namespace fiver::ir
