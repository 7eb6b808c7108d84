#include "methods/cutmix/Hook.h"
#include "runtime/methods/HookRegistry.h"

#include <algorithm>
#include <cmath>

namespace fiver::runtime {

CutBox cutBox(int64_t height, int64_t width, double lambda, double centerY, double centerX) {
  // The box covers (1 - lambda) of the image before clipping at the borders.
  const double side = std::sqrt(std::clamp(1.0 - lambda, 0.0, 1.0));
  const auto cy = static_cast<int64_t>(centerY * height),
             cx = static_cast<int64_t>(centerX * width);
  const auto halfH = static_cast<int64_t>(side * height / 2),
             halfW = static_cast<int64_t>(side * width / 2);
  CutBox b;
  b.top = std::clamp<int64_t>(cy - halfH, 0, height);
  b.bottom = std::clamp<int64_t>(cy + halfH, 0, height);
  b.left = std::clamp<int64_t>(cx - halfW, 0, width);
  b.right = std::clamp<int64_t>(cx + halfW, 0, width);
  return b;
}

void CutMix::apply(Event, TrainState& s) {
  const int64_t h = s.images.size(2), w = s.images.size(3);
  torch::Tensor centre = torch::rand({2}, torch::kFloat64);
  CutBox box = cutBox(h, w, sampleBeta(alpha_), centre[0].item<double>(), centre[1].item<double>());
  torch::Tensor perm = torch::randperm(s.images.size(0), torch::kInt64).to(s.images.device());
  const int64_t boxH = box.bottom - box.top, boxW = box.right - box.left;
  if (boxH > 0 && boxW > 0) {
    // Paste the partner's box: narrow views, one copy.
    torch::Tensor mixed = s.images.clone();
    mixed.narrow(2, box.top, boxH)
        .narrow(3, box.left, boxW)
        .copy_(s.images.index_select(0, perm).narrow(2, box.top, boxH).narrow(3, box.left, boxW));
    s.images = mixed;
  }
  // Labels mix by the area actually pasted, after clipping.
  lastLambda_ = 1.0 - static_cast<double>(boxH * boxW) / static_cast<double>(h * w);
  s.targets = mixTargets(s.labels, perm, s.plan.task.classes, lastLambda_);
}

namespace {
const HookRegistrar kHook("cutmix", [](const MethodArgs& args) {
  return std::make_unique<CutMix>(args.number("alpha"));
});
} // namespace

} // namespace fiver::runtime
