// The training objective as methods shape it: soft targets when a method set
// them (mixing methods), otherwise cross-entropy on the class indices with the
// state's label smoothing.
#pragma once

#include "runtime/train/TrainState.h"

namespace fiver::runtime {

// The mean loss of `state.output` against the state's targets.
torch::Tensor trainingLoss(const TrainState& state);

} // namespace fiver::runtime
