#include "methods/randaugment/Hook.h"
#include "runtime/data/AugmentOps.h"
#include "runtime/methods/HookRegistry.h"

#include <vector>

namespace fiver::runtime {

namespace {
constexpr double kMagnitudeScale = 30; // RandAugment's M runs from 0 to 30
} // namespace

torch::Tensor randAugment(const torch::Tensor& pixels, int64_t ops, double magnitude,
                          torch::Tensor* drawnOps, torch::Tensor* drawnMagnitudes) {
  const int64_t batch = pixels.size(0);
  torch::Tensor out = pixels;
  std::vector<torch::Tensor> drawn, strengths;
  for (int64_t round = 0; round < ops; ++round) {
    torch::Tensor op = drawAugmentOps(batch, pixels.device());
    torch::Tensor m = randomSigns(batch, pixels.device()) * (magnitude / kMagnitudeScale);
    out = applyAugmentOps(out, op, m);
    drawn.push_back(op);
    strengths.push_back(m);
  }
  if (drawnOps) *drawnOps = torch::stack(drawn, 1);
  if (drawnMagnitudes) *drawnMagnitudes = torch::stack(strengths, 1);
  return out;
}

void RandAugment::apply(Event, TrainState& s) {
  const PixelRange range = pixelRangeOf(s.images);
  torch::Tensor pixels = toPixels(s.images, range);
  s.images = fromPixels(randAugment(pixels, ops_, magnitude_), range)
                 .to(s.images.scalar_type())
                 .contiguous(s.images.suggest_memory_format());
}

namespace {
const HookRegistrar kHook("randaugment", [](const MethodArgs& args) {
  return std::make_unique<RandAugment>(args.integer("ops"), args.number("magnitude"));
});
} // namespace

} // namespace fiver::runtime
