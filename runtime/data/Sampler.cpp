#include "runtime/data/Sampler.h"

namespace fiver::runtime {

torch::Generator seededGenerator(uint64_t seed, uint64_t stream) {
  return at::detail::createCPUGenerator(seed * 1000003ULL + stream);
}

ShuffleSampler::ShuffleSampler(int64_t size, uint64_t seed, int64_t padToMultiple)
    : size_(size), seed_(seed), padTo_(std::max<int64_t>(1, padToMultiple)) {}

void ShuffleSampler::startEpoch(int64_t epoch) {
  torch::Generator gen = seededGenerator(seed_, static_cast<uint64_t>(epoch));
  order_ = torch::randperm(size_, gen, torch::kInt64);
  const int64_t padded = (size_ + padTo_ - 1) / padTo_ * padTo_;
  if (padded > size_) order_ = torch::cat({order_, order_.narrow(0, 0, padded - size_)});
  cursor_ = 0;
}

torch::Tensor ShuffleSampler::next(int64_t count) {
  const int64_t n = std::max<int64_t>(0, std::min(count, order_.size(0) - cursor_));
  torch::Tensor out = order_.narrow(0, cursor_, n);
  cursor_ += n;
  return out;
}

SubsetSampler::SubsetSampler(torch::Tensor indices, uint64_t seed)
    : indices_(indices.to(torch::kCPU, torch::kInt64).contiguous()), seed_(seed) {}

void SubsetSampler::startEpoch(int64_t epoch) {
  torch::Generator gen = seededGenerator(seed_, static_cast<uint64_t>(epoch));
  order_ = indices_.index_select(0, torch::randperm(indices_.size(0), gen, torch::kInt64));
  cursor_ = 0;
}

torch::Tensor SubsetSampler::next(int64_t count) {
  const int64_t n = std::max<int64_t>(0, std::min(count, order_.size(0) - cursor_));
  torch::Tensor out = order_.narrow(0, cursor_, n);
  cursor_ += n;
  return out;
}

} // namespace fiver::runtime
