// Which input of a residual add is its skip connection. Stochastic depth drops
// the other one, the branch. The skip is the side with fewer ops of its own
// (ops that the other side does not also depend on): none for an identity
// shortcut, a conv and a norm for a downsampling one, against the branch's
// whole stack. Op order cannot tell them apart: an exported torchvision
// ResNet computes its downsampling shortcut after the branch.
#pragma once

#include "compiler/plan/Plan.h"

#include <vector>

namespace fiver::runtime {

// Whether ops[add], an add of two different values, joins a branch back to
// its shortcut: both inputs depend on a common op (the block's input). An
// add of a learned table to the data (a transformer's position embedding)
// has none and is not a residual, nor is a low-rank adapter's join.
bool isResidualAdd(const std::vector<plan::Op>& ops, size_t add);

// The skip input of ops[add] (an op with two inputs); on a tie, the earlier one.
int residualSkipInput(const std::vector<plan::Op>& ops, size_t add);

} // namespace fiver::runtime
