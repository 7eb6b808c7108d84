#include "runtime/data/BatchLoader.h"

namespace fiver::runtime {

BatchLoader::BatchLoader(const Split& split, int64_t batchSize, uint64_t seed)
    : split_(split), batch_(batchSize), seed_(seed) {}

void BatchLoader::startEpoch(int64_t epoch) {
  torch::Generator gen =
      at::detail::createCPUGenerator(seed_ * 1000003ULL + static_cast<uint64_t>(epoch));
  order_ = torch::randperm(split_.size(), gen, torch::kInt64);
  cursor_ = 0;
}

bool BatchLoader::next(torch::Tensor& images, torch::Tensor& labels) {
  if (cursor_ >= split_.size()) return false;
  int64_t n = std::min(batch_, split_.size() - cursor_);
  torch::Tensor idx = order_.narrow(0, cursor_, n).to(split_.images.device());
  cursor_ += n;
  images = split_.images.index_select(0, idx);
  labels = split_.labels.index_select(0, idx);
  return true;
}

} // namespace fiver::runtime
