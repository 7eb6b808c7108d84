// Mini-batches from an in-memory split: the sampler picks example indices,
// one index_select per batch gathers them. With prefetch on, a background
// thread draws and gathers the next batches while the step runs (see
// Prefetcher.h); the batches served are the same, bit for bit. Data methods
// change what is loaded through three seams: the sampler (which examples, in what order),
// the batch size (per step), and echoing (how often a loaded batch is reused).
#pragma once

#include "runtime/data/Dataset.h"
#include "runtime/data/Prefetcher.h"
#include "runtime/data/Sampler.h"

#include <memory>

namespace fiver::runtime {

class BatchLoader {
public:
  // The default sampler shuffles every example once per epoch from (seed, epoch).
  BatchLoader(const Split& split, int64_t batchSize, uint64_t seed);

  // Data parallelism: this loader yields only rank `rank`'s share of each
  // global batch, with PyTorch DistributedSampler's semantics (the epoch's
  // permutation padded to a multiple of `world`, rank r taking every world-th
  // index from r), so the ranks' batches together are the single-process batch.
  void shard(int rank, int world);
  void startEpoch(int64_t epoch);
  // False when the epoch is exhausted. The last batch may be smaller.
  bool next(torch::Tensor& images, torch::Tensor& labels);

  // Prepare the next batches on a background thread (off by default; the
  // trainer turns it on). Only samplers that draw in sequence are drawn
  // ahead, and only once this loader has started their epoch; any seam below
  // first drops what was prefetched and rewinds the sampler to what was served.
  void setPrefetch(bool on);
  bool prefetching() const { return prefetch_; }

  // The seams. A sampler set here takes effect at the next startEpoch.
  void setSampler(std::unique_ptr<Sampler> sampler);
  std::unique_ptr<Sampler> takeSampler();
  // The global batch size of the batches loaded from now on (rounded up to a
  // multiple of the number of ranks).
  void setBatchSize(int64_t globalBatchSize);
  int64_t batchSize() const { return batch_ * world_; }
  // Each loaded batch is served `factor` times. With `shuffleExamples` the
  // `factor` copies of its examples are shuffled together and served as
  // `factor` batches (example echoing); otherwise the batch repeats as is.
  void setEcho(int64_t factor, bool shuffleExamples);

  // Where the loader is within the current epoch, for checkpoints: how many
  // indices it has drawn from the sampler, and the batch being echoed. After
  // startEpoch(epoch), restore() puts a fresh loader where the saved one was.
  struct Position {
    int64_t drawn = 0;
    int64_t loads = 0;
    torch::Tensor loadedIndices; // undefined before the first load
    torch::Tensor echoQueue;
  };
  Position position() const;
  void restore(const Position& p);

  const Split& split() const { return split_; }
  uint64_t seed() const { return seed_; }
  // Batches gathered from the split so far; an echoed batch is served from
  // the last load without touching the split or the sampler.
  int64_t loads() const { return loads_; }
  // Example indices of the batch last returned by next().
  const torch::Tensor& lastIndices() const { return lastIndices_; }

private:
  // Draws the next batch from the sampler and gathers it, on either thread.
  LoadedBatch load();
  LoadedBatch nextLoad();
  // Stops the producer; rewinds the sampler when it had drawn ahead.
  void dropPrefetched();

  const Split& split_;
  int64_t batch_;
  uint64_t seed_;
  std::unique_ptr<Sampler> sampler_;
  int rank_ = 0;
  int world_ = 1;
  int64_t loads_ = 0;
  int64_t drawn_ = 0; // indices drawn from the sampler this epoch (all ranks), served
  int64_t epoch_ = 0;
  bool samplerStarted_ = false; // startEpoch has run on the current sampler
  torch::Tensor lastIndices_;
  // Echoing: the last loaded batch, and the positions in it still to be served.
  int64_t echo_ = 1;
  bool echoExamples_ = false;
  torch::Tensor loadedImages_, loadedLabels_, loadedIndices_;
  torch::Tensor echoQueue_;
  bool prefetch_ = false;
  // Last: destroyed first, so its thread stops before what it reads goes.
  std::unique_ptr<BatchPrefetcher> prefetcher_;
};

} // namespace fiver::runtime
