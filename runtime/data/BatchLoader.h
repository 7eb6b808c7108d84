// Shuffled mini-batches from an in-memory split: one index_select per batch,
// a new permutation each epoch from (seed, epoch), so runs are reproducible
// and a resumed run sees the same order.
#pragma once

#include "runtime/data/Dataset.h"

namespace fiver::runtime {

class BatchLoader {
public:
  BatchLoader(const Split& split, int64_t batchSize, uint64_t seed);

  void startEpoch(int64_t epoch);
  // False when the epoch is exhausted. The last batch may be smaller.
  bool next(torch::Tensor& images, torch::Tensor& labels);
  int64_t batchesPerEpoch() const { return (split_.size() + batch_ - 1) / batch_; }

private:
  const Split& split_;
  int64_t batch_;
  uint64_t seed_;
  torch::Tensor order_;
  int64_t cursor_ = 0;
};

} // namespace fiver::runtime
