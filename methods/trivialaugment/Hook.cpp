#include "methods/trivialaugment/Hook.h"
#include "runtime/data/AugmentOps.h"
#include "runtime/methods/HookRegistry.h"

namespace fiver::runtime {

namespace {
constexpr int64_t kMagnitudeLevels = 31; // TrivialAugmentWide's bins 0 .. 30
} // namespace

torch::Tensor trivialAugment(const torch::Tensor& pixels, torch::Tensor* drawnOps) {
  const int64_t batch = pixels.size(0);
  torch::Tensor ops = drawAugmentOps(batch, pixels.device());
  torch::Tensor levels = torch::randint(0, kMagnitudeLevels, {batch}, pixels.options());
  torch::Tensor magnitudes = levels / (kMagnitudeLevels - 1) * randomSigns(batch, pixels.device());
  if (drawnOps) *drawnOps = ops;
  return applyAugmentOps(pixels, ops, magnitudes);
}

void TrivialAugment::apply(Event, TrainState& s) {
  const PixelRange range = pixelRangeOf(s.images);
  torch::Tensor pixels = toPixels(s.images, range);
  s.images = fromPixels(trivialAugment(pixels), range)
                 .to(s.images.scalar_type())
                 .contiguous(s.images.suggest_memory_format());
}

namespace {
const HookRegistrar kHook("trivialaugment",
                          [](const MethodArgs&) { return std::make_unique<TrivialAugment>(); });
} // namespace

} // namespace fiver::runtime
