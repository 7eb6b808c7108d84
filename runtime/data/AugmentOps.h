// The image operations of automated augmentation policies (RandAugment,
// TrivialAugment): one op per image, drawn per image, applied to a whole
// batch at once. Every op works on pixel values in [0, 1] (see toPixels) and
// keeps them there; a signed magnitude in [-1, 1] per image sets its strength
// (the sign picks the direction of geometric and enhancement ops).
#pragma once

#include <torch/torch.h>

namespace fiver::runtime {

enum class AugmentOp : int64_t {
  Identity,
  AutoContrast, // stretches each channel to [0, 1]; no magnitude
  Equalize,     // flattens each channel's histogram; no magnitude
  Rotate,       // up to kMaxRotateDegrees
  Solarize,     // inverts pixels above 1 - |m|
  Color,        // saturation; changes nothing on one-channel images
  Contrast,
  Brightness,
  Sharpness,
  Posterize, // keeps 8 - round(4 |m|) bits
  ShearX,    // up to kMaxShear
  ShearY,
  TranslateX, // up to kMaxTranslate of the image side
  TranslateY,
};
inline constexpr int64_t kAugmentOpCount = 14;

// The strongest setting of each op (RandAugment's ranges).
inline constexpr double kMaxRotateDegrees = 30;
inline constexpr double kMaxShear = 0.3;
inline constexpr double kMaxTranslate = 0.45;
inline constexpr double kMaxEnhance = 0.9; // factor 1 + 0.9 m for color .. sharpness

// How a normalized batch maps to pixels: pixel = (value - black) / (white -
// black). Datasets are normalized with one mean and std for all channels, so
// black and white are two numbers; a training batch holds both (every
// Fashion-MNIST or CIFAR batch has a 0 and a 255 pixel), so they are read off
// the batch's extremes rather than threaded through from the dataset.
struct PixelRange {
  double black = 0, white = 1;
};
PixelRange pixelRangeOf(const torch::Tensor& images);
torch::Tensor toPixels(const torch::Tensor& images, PixelRange range);
torch::Tensor fromPixels(const torch::Tensor& pixels, PixelRange range);

// Applies op ops[i] at magnitude magnitudes[i] to image i of `pixels`
// (B x C x H x W in [0, 1]); ops: B int64, magnitudes: B float in [-1, 1].
// Images are grouped by op: one batched call per op drawn.
torch::Tensor applyAugmentOps(const torch::Tensor& pixels, const torch::Tensor& ops,
                              const torch::Tensor& magnitudes);

// B ops drawn uniformly from the whole set, and B random signs (+1 or -1).
torch::Tensor drawAugmentOps(int64_t batch, const torch::Device& device);
torch::Tensor randomSigns(int64_t batch, const torch::Device& device);

// Single ops with one parameter per image (B tensors), exposed for tests.
torch::Tensor rotateImages(const torch::Tensor& pixels, const torch::Tensor& degrees);
torch::Tensor translateImages(const torch::Tensor& pixels, const torch::Tensor& dx,
                              const torch::Tensor& dy); // fractions of the side
torch::Tensor solarizeImages(const torch::Tensor& pixels, const torch::Tensor& thresholds);

} // namespace fiver::runtime
