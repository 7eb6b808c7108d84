#include "methods/random_resized_crop/Hook.h"
#include "runtime/methods/HookRegistry.h"

#include <cmath>

namespace fiver::runtime {

torch::Tensor randomCropBoxes(int64_t batch, double scale, double ratio) {
  const auto f64 = torch::TensorOptions().dtype(torch::kFloat64);
  torch::Tensor area = torch::empty({batch}, f64).uniform_(scale, 1.0);
  torch::Tensor logRatio = torch::empty({batch}, f64).uniform_(-std::log(ratio), std::log(ratio));
  torch::Tensor aspect = logRatio.exp(); // width / height
  torch::Tensor width = (area * aspect).sqrt().clamp_max(1.0);
  torch::Tensor height = (area / aspect).sqrt().clamp_max(1.0);
  torch::Tensor top = torch::rand({batch}, f64) * (1 - height);
  torch::Tensor left = torch::rand({batch}, f64) * (1 - width);
  return torch::stack({top, left, height, width}, 1).to(torch::kFloat32);
}

torch::Tensor resizedCrops(const torch::Tensor& images, const torch::Tensor& boxes) {
  // affine_grid maps output coordinates in [-1, 1] to input ones: the box
  // spans [2 left - 1, 2 (left + width) - 1], so x_in = width x_out + centre.
  torch::Tensor b = boxes.to(images.options().dtype(torch::kFloat32));
  torch::Tensor top = b.select(1, 0), left = b.select(1, 1);
  torch::Tensor height = b.select(1, 2), width = b.select(1, 3);
  torch::Tensor zero = torch::zeros_like(top);
  torch::Tensor theta =
      torch::stack({width, zero, 2 * left + width - 1, zero, height, 2 * top + height - 1}, 1)
          .view({-1, 2, 3});
  torch::Tensor input = images.to(torch::kFloat32);
  namespace F = torch::nn::functional;
  torch::Tensor grid = F::affine_grid(theta, input.sizes(), /*align_corners=*/false);
  return F::grid_sample(input, grid,
                        F::GridSampleFuncOptions()
                            .mode(torch::kBilinear)
                            .padding_mode(torch::kBorder)
                            .align_corners(false))
      .to(images.scalar_type())
      .contiguous(images.suggest_memory_format());
}

void RandomResizedCrop::apply(Event, TrainState& s) {
  s.images = resizedCrops(s.images, randomCropBoxes(s.images.size(0), scale_, ratio_));
}

namespace {
const HookRegistrar kHook("random_resized_crop", [](const MethodArgs& args) {
  return std::make_unique<RandomResizedCrop>(args.number("scale"), args.number("ratio"));
});
} // namespace

} // namespace fiver::runtime
