// Batched augmentation as tensor ops on the training device: a whole batch is
// cropped or flipped with a handful of kernels, never image by image.
#pragma once

#include "compiler/plan/Plan.h"

#include <torch/torch.h>

#include <vector>

namespace fiver::runtime {

// Random crop after padding by `padding` pixels (filled with `fill`): each
// image is shifted by its own offset in [-padding, padding].
torch::Tensor randomCrop(const torch::Tensor& x, int64_t padding, float fill);
// Mirrors each image left-right with probability p.
torch::Tensor randomFlip(const torch::Tensor& x, double p);

// Applies the plan's augmentations in order.
class Augmenter {
public:
  Augmenter(std::vector<plan::Call> steps, float fill);
  torch::Tensor operator()(torch::Tensor x) const;

private:
  std::vector<plan::Call> steps_;
  float fill_;
};

} // namespace fiver::runtime
