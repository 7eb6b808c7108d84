#include "methods/colout/Hook.h"
#include "runtime/methods/HookRegistry.h"

#include <cmath>

namespace fiver::runtime {

namespace {

int64_t keptCount(int64_t size, double p) {
  return std::clamp<int64_t>(std::llround((1 - p) * static_cast<double>(size)), 1, size);
}

// `kept` sorted random positions out of `size`, one row per image (or one row).
torch::Tensor keptPositions(int64_t rows, int64_t size, int64_t kept, const torch::Device& device) {
  torch::Tensor keys = torch::rand({rows, size});
  torch::Tensor chosen = std::get<1>(keys.topk(kept, 1));
  return std::get<0>(chosen.sort(1)).to(device);
}

} // namespace

torch::Tensor coloutBatch(const torch::Tensor& images, double pRow, double pCol,
                          bool sameForBatch) {
  const int64_t b = images.size(0), c = images.size(1), h = images.size(2), w = images.size(3);
  const int64_t keptH = keptCount(h, pRow), keptW = keptCount(w, pCol);
  if (keptH == h && keptW == w) return images;
  if (sameForBatch) {
    torch::Tensor rows = keptPositions(1, h, keptH, images.device()).squeeze(0);
    torch::Tensor cols = keptPositions(1, w, keptW, images.device()).squeeze(0);
    return images.index_select(2, rows).index_select(3, cols);
  }
  torch::Tensor rows = keptPositions(b, h, keptH, images.device());
  torch::Tensor cols = keptPositions(b, w, keptW, images.device());
  torch::Tensor out = images.gather(2, rows.view({b, 1, keptH, 1}).expand({b, c, keptH, w}));
  return out.gather(3, cols.view({b, 1, 1, keptW}).expand({b, c, keptH, keptW}));
}

void Colout::apply(Event, TrainState& s) {
  s.images = coloutBatch(s.images, pRow_, pCol_, sameForBatch_);
}

namespace {
const HookRegistrar kHook("colout", [](const MethodArgs& args) {
  return std::make_unique<Colout>(args.number("p_row"), args.number("p_col"), args.flag("batch"));
});
} // namespace

} // namespace fiver::runtime
