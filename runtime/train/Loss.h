// The training objective as methods shape it: soft targets when a method set
// them (mixing methods), otherwise cross-entropy on the class indices with the
// state's label smoothing. Sequence models predict a class (the next token)
// at every position: their positions count as examples of their own.
#pragma once

#include "runtime/train/TrainState.h"

#include <utility>

namespace fiver::runtime {

// The mean loss of `state.output` against the state's targets.
torch::Tensor trainingLoss(const TrainState& state);

// Logits [B, T', V] with labels [B, T'] as [B T', V] and [B T'] (one row per
// position); logits [B, V] with labels [B] are returned as they are.
std::pair<torch::Tensor, torch::Tensor> flattenPositions(const torch::Tensor& logits,
                                                         const torch::Tensor& labels);

// Cross-entropy averaged over every prediction (every position of a sequence).
torch::Tensor meanCrossEntropy(const torch::Tensor& logits, const torch::Tensor& labels);

// One cross-entropy per example [B]: a sequence's is the mean over its
// positions, so methods that rank examples by loss rank whole sequences.
torch::Tensor crossEntropyPerExample(const torch::Tensor& logits, const torch::Tensor& labels);

} // namespace fiver::runtime
