// Residual adds in the training graph, by the runtime's rule
// (runtime/model/ResidualSkip.h): an add joins a branch back to its shortcut
// when both inputs depend on a common op (the block's input); a learned
// table added to the data (a transformer's position embedding) is no
// residual. Methods that act on whole branches (stochastic_depth,
// progressive_growing) find them here.
#pragma once

#include "compiler/ir/TrainingGraph.h"

#include <vector>

namespace fiver::passes {

bool isResidualAdd(const ir::TrainingGraph& g, ir::OpId add);
// Every residual add, in depth order; adds that join a low-rank adapter to
// its layer (lora) are not blocks and are left out.
std::vector<ir::OpId> residualAdds(const ir::TrainingGraph& g);

} // namespace fiver::passes
