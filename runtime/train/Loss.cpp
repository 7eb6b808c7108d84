#include "runtime/train/Loss.h"

namespace fiver::runtime {

torch::Tensor trainingLoss(const TrainState& state) {
  namespace F = torch::nn::functional;
  if (state.targets.defined()) {
    torch::Tensor targets = state.targets;
    if (state.labelSmoothing > 0) // smoothing composes with mixed targets
      targets = targets * (1 - state.labelSmoothing) +
                state.labelSmoothing / static_cast<double>(targets.size(1));
    return -(targets * torch::log_softmax(state.output, 1)).sum(1).mean();
  }
  // cross_entropy's label_smoothing equals the loss against smoothTargets
  // without building the B x classes target tensor.
  return F::cross_entropy(state.output, state.labels,
                          F::CrossEntropyFuncOptions().label_smoothing(state.labelSmoothing));
}

} // namespace fiver::runtime
