// Batch normalisation over the global batch of a data-parallel run: each rank
// contributes its per-channel sums, the ranks add them, and every rank
// normalises with the statistics of all ranks' examples together, so small
// per-rank batches train as one large batch would. Backward exchanges the two
// per-channel sums the input gradient needs.
#pragma once

#include "runtime/train/Collectives.h"

namespace fiver::runtime::distributed {

// Training-mode batch norm of x (N x C x ...) with global statistics; updates
// the running statistics in place like torch::nn::BatchNorm2d does.
torch::Tensor syncBatchNorm(const torch::Tensor& x, torch::nn::BatchNorm2dImpl& bn,
                            Collectives& collectives);

} // namespace fiver::runtime::distributed
