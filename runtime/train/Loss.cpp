#include "runtime/train/Loss.h"

#include <stdexcept>

namespace fiver::runtime {

std::pair<torch::Tensor, torch::Tensor> flattenPositions(const torch::Tensor& logits,
                                                         const torch::Tensor& labels) {
  if (logits.dim() != 3) return {logits, labels};
  if (labels.dim() != 2 || labels.size(0) != logits.size(0) || labels.size(1) != logits.size(1))
    throw std::runtime_error("a sequence model's logits [B, T, V] need labels [B, T]");
  return {logits.reshape({-1, logits.size(2)}), labels.reshape({-1})};
}

torch::Tensor meanCrossEntropy(const torch::Tensor& logits, const torch::Tensor& labels) {
  auto [flatLogits, flatLabels] = flattenPositions(logits, labels);
  return torch::nn::functional::cross_entropy(flatLogits, flatLabels);
}

torch::Tensor crossEntropyPerExample(const torch::Tensor& logits, const torch::Tensor& labels) {
  namespace F = torch::nn::functional;
  auto [flatLogits, flatLabels] = flattenPositions(logits, labels);
  torch::Tensor losses = F::cross_entropy(flatLogits, flatLabels,
                                          F::CrossEntropyFuncOptions().reduction(torch::kNone));
  return logits.dim() == 3 ? losses.view({logits.size(0), logits.size(1)}).mean(1) : losses;
}

torch::Tensor trainingLoss(const TrainState& state) {
  namespace F = torch::nn::functional;
  if (state.targets.defined()) {
    if (state.output.dim() != 2)
      throw std::runtime_error("soft targets (mixing methods) need class logits [B, classes]; "
                               "a sequence model predicts every position and has none");
    torch::Tensor targets = state.targets;
    if (state.labelSmoothing > 0) // smoothing composes with mixed targets
      targets = targets * (1 - state.labelSmoothing) +
                state.labelSmoothing / static_cast<double>(targets.size(1));
    return -(targets * torch::log_softmax(state.output, 1)).sum(1).mean();
  }
  auto [logits, labels] = flattenPositions(state.output, state.labels);
  // cross_entropy's label_smoothing equals the loss against smoothTargets
  // without building the B x classes target tensor.
  return F::cross_entropy(logits, labels,
                          F::CrossEntropyFuncOptions().label_smoothing(state.labelSmoothing));
}

} // namespace fiver::runtime
