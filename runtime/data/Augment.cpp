#include "runtime/data/Augment.h"

#include <stdexcept>

namespace fiver::runtime {

torch::Tensor randomCrop(const torch::Tensor& x, int64_t padding, float fill) {
  if (padding <= 0) return x;
  const int64_t b = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  const auto index = x.options().dtype(torch::kInt64);
  torch::Tensor padded = torch::constant_pad_nd(x, {padding, padding, padding, padding}, fill);
  torch::Tensor dy = torch::randint(0, 2 * padding + 1, {b, 1}, index);
  torch::Tensor dx = torch::randint(0, 2 * padding + 1, {b, 1}, index);
  torch::Tensor rows = torch::arange(h, index).unsqueeze(0) + dy; // b x h
  torch::Tensor cols = torch::arange(w, index).unsqueeze(0) + dx; // b x w
  torch::Tensor out = padded.gather(2, rows.view({b, 1, h, 1}).expand({b, c, h, w + 2 * padding}));
  return out.gather(3, cols.view({b, 1, 1, w}).expand({b, c, h, w}));
}

torch::Tensor randomFlip(const torch::Tensor& x, double p) {
  if (p <= 0) return x;
  torch::Tensor flip = torch::rand({x.size(0), 1, 1, 1}, x.options()) < p;
  return torch::where(flip, x.flip({3}), x);
}

Augmenter::Augmenter(std::vector<plan::Call> steps, float fill)
    : steps_(std::move(steps)), fill_(fill) {
  for (const plan::Call& s : steps_)
    if (s.kind != "crop" && s.kind != "flip")
      throw std::runtime_error("unknown augmentation '" + s.kind +
                               "' in the plan (known: crop, flip)");
}

torch::Tensor Augmenter::operator()(torch::Tensor x) const {
  for (const plan::Call& s : steps_) {
    if (s.kind == "crop")
      x = randomCrop(x, static_cast<int64_t>(plan::getNumber(s.params, "padding", 2)), fill_);
    else
      x = randomFlip(x, plan::getNumber(s.params, "p", 0.5));
  }
  return x;
}

} // namespace fiver::runtime
