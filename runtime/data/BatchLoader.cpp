#include "runtime/data/BatchLoader.h"

#include <stdexcept>

namespace fiver::runtime {

BatchLoader::BatchLoader(const Split& split, int64_t batchSize, uint64_t seed)
    : split_(split), batch_(batchSize), seed_(seed) {}

void BatchLoader::shard(int rank, int world) {
  if (world < 1 || rank < 0 || rank >= world) throw std::invalid_argument("bad shard");
  if (batch_ % world != 0)
    throw std::invalid_argument("the batch size " + std::to_string(batch_) +
                                " does not split evenly over " + std::to_string(world) +
                                " processes");
  batch_ /= world;
  rank_ = rank;
  world_ = world;
}

void BatchLoader::startEpoch(int64_t epoch) {
  torch::Generator gen =
      at::detail::createCPUGenerator(seed_ * 1000003ULL + static_cast<uint64_t>(epoch));
  order_ = torch::randperm(split_.size(), gen, torch::kInt64);
  if (world_ > 1) {
    const int64_t padded = (split_.size() + world_ - 1) / world_ * world_;
    if (padded > split_.size())
      order_ = torch::cat({order_, order_.narrow(0, 0, padded - split_.size())});
    order_ = order_.slice(0, rank_, padded, world_).contiguous();
  }
  cursor_ = 0;
}

bool BatchLoader::next(torch::Tensor& images, torch::Tensor& labels) {
  const int64_t size = order_.size(0);
  if (cursor_ >= size) return false;
  int64_t n = std::min(batch_, size - cursor_);
  torch::Tensor idx = order_.narrow(0, cursor_, n).to(split_.images.device());
  cursor_ += n;
  images = split_.images.index_select(0, idx);
  labels = split_.labels.index_select(0, idx);
  return true;
}

} // namespace fiver::runtime
