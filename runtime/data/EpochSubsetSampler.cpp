#include "runtime/data/EpochSubsetSampler.h"

namespace fiver::runtime {

void EpochSubsetSampler::startEpoch(int64_t epoch) {
  if (epoch != epoch_ || !subset_) {
    subset_.emplace(choose_(epoch), seed_);
    epoch_ = epoch;
  }
  subset_->startEpoch(epoch);
}

const torch::Tensor& EpochSubsetSampler::indices() const {
  static const torch::Tensor kNone;
  return subset_ ? subset_->indices() : kNone;
}

void EpochSubsetSampler::restore(int64_t epoch, const torch::Tensor& indices) {
  subset_.emplace(indices, seed_);
  epoch_ = epoch;
}

} // namespace fiver::runtime
