// How methods report the work they add to a run to its FLOP counter
// (TrainState::flops): their own forward or backward passes, and elementwise
// updates of weight copies. Without a counter (a test driving one hook)
// nothing is counted. In data-parallel runs every rank does the same work,
// so a charge counts once per rank, as the training steps do.
#pragma once

#include "runtime/metrics/FlopCounter.h"
#include "runtime/train/TrainState.h"

#include <vector>

namespace fiver::runtime {

// The images, and the height and width that scale spatial ops, of a batch:
// [B, C, H, W] images, or [B, T] tokens (T as the height).
struct PassSize {
  int64_t images = 0, height = 1, width = 1;
};
PassSize passSizeOf(const torch::Tensor& batch);

void chargeFlops(TrainState& s, FlopKind kind, double flops);
// A forward pass of the whole model over `batch`, `repeats` times.
void chargeForward(TrainState& s, FlopKind kind, const torch::Tensor& batch, double repeats = 1);
// A forward and backward pass of a model that trains every op.
void chargeTrainingPass(TrainState& s, FlopKind kind, const torch::Tensor& batch);
// `flopsPerElement` for every element of the floating-point tensors.
void chargeElementwise(TrainState& s, FlopKind kind, const std::vector<torch::Tensor>& tensors,
                       double flopsPerElement);

} // namespace fiver::runtime
