// Shuffled mini-batches from an in-memory split: one index_select per batch,
// a new permutation each epoch from (seed, epoch), so runs are reproducible
// and a resumed run sees the same order.
#pragma once

#include "runtime/data/Dataset.h"

namespace fiver::runtime {

class BatchLoader {
public:
  BatchLoader(const Split& split, int64_t batchSize, uint64_t seed);

  // Data parallelism: this loader yields only rank `rank`'s share of each
  // global batch, with PyTorch DistributedSampler's semantics (the epoch's
  // permutation padded to a multiple of `world`, rank r taking every world-th
  // index from r), so the ranks' batches together are the single-process batch.
  void shard(int rank, int world);
  void startEpoch(int64_t epoch);
  // False when the epoch is exhausted. The last batch may be smaller.
  bool next(torch::Tensor& images, torch::Tensor& labels);
  int64_t batchesPerEpoch() const {
    const int64_t n = order_.defined() ? order_.size(0) : split_.size();
    return (n + batch_ - 1) / batch_;
  }

private:
  const Split& split_;
  int64_t batch_;
  uint64_t seed_;
  torch::Tensor order_;
  int64_t cursor_ = 0;
  int rank_ = 0;
  int world_ = 1;
};

} // namespace fiver::runtime
