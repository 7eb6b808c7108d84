#include "runtime/train/Loss.h"

namespace fiver::runtime {

torch::Tensor trainingLoss(const TrainState& state) {
  namespace F = torch::nn::functional;
  if (state.targets.defined())
    return -(state.targets * torch::log_softmax(state.output, 1)).sum(1).mean();
  // cross_entropy's label_smoothing equals the loss against smoothTargets
  // without building the B x classes target tensor.
  return F::cross_entropy(state.output, state.labels,
                          F::CrossEntropyFuncOptions().label_smoothing(state.labelSmoothing));
}

} // namespace fiver::runtime
