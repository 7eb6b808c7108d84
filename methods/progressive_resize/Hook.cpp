#include "methods/progressive_resize/Hook.h"
#include "runtime/methods/HookRegistry.h"

namespace fiver::runtime {

torch::Tensor resizeBatch(const torch::Tensor& images, int64_t height, int64_t width) {
  if (images.size(2) == height && images.size(3) == width) return images;
  namespace F = torch::nn::functional;
  return F::interpolate(images, F::InterpolateFuncOptions()
                                    .size(std::vector<int64_t>{height, width})
                                    .mode(torch::kBilinear)
                                    .align_corners(false)
                                    // Shrinking without it aliases fine texture.
                                    .antialias(height < images.size(2) || width < images.size(3)));
}

std::pair<int64_t, int64_t> resolutionAt(const plan::Plan& p, int64_t step) {
  std::pair<int64_t, int64_t> size{p.task.inputShape[1], p.task.inputShape[2]};
  for (const plan::ResolutionStage& s : p.resolution)
    if (s.startStep <= step) size = {s.height, s.width};
  return size;
}

void ProgressiveResize::apply(Event, TrainState& s) {
  auto [h, w] = resolutionAt(s.plan, s.step);
  s.images = resizeBatch(s.images, h, w);
}

namespace {
const HookRegistrar kHook("progressive_resize",
                          [](const MethodArgs&) { return std::make_unique<ProgressiveResize>(); });
} // namespace

} // namespace fiver::runtime
