// The runtime hook of ghost_batchnorm: a pure function (usable and testable
// alone) plus the Method that makes it the model's training-mode batch norm.
#pragma once

#include "runtime/train/Method.h"

namespace fiver::runtime {

// Training-mode batch norm of x (N x C x ...) over floor(N / ghostBatch)
// consecutive sub-batches of near-equal size (torch::chunk's split: all but
// the last of ceil(N / count) examples), each normalized with its own
// statistics; a batch of at most `ghostBatch` examples is plain batch norm.
// The running statistics take one update per sub-batch with the momentum
// divided by their count (as Composer does), so they move about as far per
// step as plain batch norm's.
torch::Tensor ghostBatchNorm(const torch::Tensor& x, torch::nn::BatchNorm2dImpl& bn,
                             int64_t ghostBatch);

// Installs ghostBatchNorm at FIT_START through the model's batch-norm
// override, which only acts in training mode: evaluation is unchanged.
class GhostBatchNorm : public Method {
public:
  explicit GhostBatchNorm(int64_t ghostBatch);
  bool match(Event e, const TrainState&) const override { return e == Event::FitStart; }
  void apply(Event e, TrainState& s) override;

private:
  int64_t ghostBatch_;
};

} // namespace fiver::runtime
