#include "methods/cutout/Hook.h"
#include "runtime/methods/HookRegistry.h"

#include <cmath>

namespace fiver::runtime {

int64_t cutoutSide(int64_t height, int64_t width, double length) {
  return std::llround(length * static_cast<double>(std::min(height, width)));
}

torch::Tensor cutoutMask(int64_t batch, int64_t height, int64_t width, int64_t holes, int64_t side,
                         const torch::TensorOptions& options) {
  if (side <= 0 || holes <= 0) return torch::ones({batch, 1, height, width}, options);
  const auto index = torch::TensorOptions().dtype(torch::kInt64);
  // Top-left corners so that the square is centred on a uniform random pixel.
  torch::Tensor top = torch::randint(0, height, {batch, holes, 1}, index) - side / 2;
  torch::Tensor left = torch::randint(0, width, {batch, holes, 1}, index) - side / 2;
  torch::Tensor rows = torch::arange(height, index).view({1, 1, height});
  torch::Tensor cols = torch::arange(width, index).view({1, 1, width});
  torch::Tensor inRows = (rows >= top).logical_and(rows < top + side); // B x holes x H
  torch::Tensor inCols = (cols >= left).logical_and(cols < left + side);
  torch::Tensor covered = inRows.unsqueeze(3).logical_and(inCols.unsqueeze(2)).any(1);
  return covered.logical_not().unsqueeze(1).to(options.dtype()).to(options.device());
}

void Cutout::apply(Event, TrainState& s) {
  const int64_t h = s.images.size(2), w = s.images.size(3);
  torch::Tensor mask =
      cutoutMask(s.images.size(0), h, w, holes_, cutoutSide(h, w, length_), s.images.options());
  s.images = s.images * mask; // out of place: never edits a tensor the loader handed out
}

namespace {
const HookRegistrar kHook("cutout", [](const MethodArgs& args) {
  return std::make_unique<Cutout>(args.integer("holes"), args.number("length"));
});
} // namespace

} // namespace fiver::runtime
