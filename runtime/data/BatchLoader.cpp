#include "runtime/data/BatchLoader.h"

#include <stdexcept>

namespace fiver::runtime {

BatchLoader::BatchLoader(const Split& split, int64_t batchSize, uint64_t seed)
    : split_(split), batch_(batchSize), seed_(seed),
      sampler_(std::make_unique<ShuffleSampler>(split.size(), seed)) {}

void BatchLoader::shard(int rank, int world) {
  dropPrefetched();
  if (world < 1 || rank < 0 || rank >= world) throw std::invalid_argument("bad shard");
  if (batch_ % world != 0)
    throw std::invalid_argument("the batch size " + std::to_string(batch_) +
                                " does not split evenly over " + std::to_string(world) +
                                " processes");
  batch_ /= world;
  rank_ = rank;
  world_ = world;
  sampler_ = std::make_unique<ShuffleSampler>(split_.size(), seed_, world);
  samplerStarted_ = false;
}

void BatchLoader::setPrefetch(bool on) {
  if (!on) dropPrefetched();
  prefetch_ = on;
}

void BatchLoader::dropPrefetched() {
  if (!prefetcher_ || !prefetcher_->running()) return;
  // Replaying the served count puts a sequence sampler where a loader
  // without prefetch would have it.
  if (prefetcher_->stop() && sampler_) {
    sampler_->startEpoch(epoch_);
    if (drawn_ > 0) sampler_->next(drawn_);
  }
}

void BatchLoader::setSampler(std::unique_ptr<Sampler> sampler) {
  if (!sampler) throw std::invalid_argument("null sampler");
  dropPrefetched();
  sampler_ = std::move(sampler);
  samplerStarted_ = false;
}

std::unique_ptr<Sampler> BatchLoader::takeSampler() {
  dropPrefetched();
  samplerStarted_ = false;
  return std::move(sampler_);
}

void BatchLoader::setBatchSize(int64_t globalBatchSize) {
  if (globalBatchSize < 1)
    throw std::invalid_argument("batch size " + std::to_string(globalBatchSize));
  const int64_t perRank = (globalBatchSize + world_ - 1) / world_;
  if (perRank == batch_) return;
  dropPrefetched();
  batch_ = perRank;
}

void BatchLoader::setEcho(int64_t factor, bool shuffleExamples) {
  if (factor < 1) throw std::invalid_argument("echo factor " + std::to_string(factor));
  echo_ = factor;
  echoExamples_ = shuffleExamples;
}

void BatchLoader::startEpoch(int64_t epoch) {
  if (!sampler_) throw std::logic_error("BatchLoader has no sampler");
  dropPrefetched();
  sampler_->startEpoch(epoch);
  epoch_ = epoch;
  samplerStarted_ = true;
  echoQueue_ = torch::Tensor();
  drawn_ = 0;
}

// This rank's indices of the next global batch from the sampler (every
// world-th index from `rank`, after padding the batch to a multiple of world),
// and their examples.
LoadedBatch BatchLoader::load() {
  if (!sampler_) throw std::logic_error("BatchLoader has no sampler");
  LoadedBatch b;
  torch::Tensor global = sampler_->next(batch_ * world_);
  b.drawn = global.size(0);
  if (world_ == 1 || global.size(0) == 0) {
    b.indices = global;
  } else {
    const int64_t n = global.size(0), padded = (n + world_ - 1) / world_ * world_;
    if (padded > n) global = torch::cat({global, global.narrow(0, 0, padded - n)});
    b.indices = global.slice(0, rank_, padded, world_).contiguous();
  }
  if (b.indices.size(0) == 0) return b;
  torch::Tensor idx = b.indices.to(split_.images.device());
  b.images = split_.images.index_select(0, idx);
  b.labels = split_.labels.index_select(0, idx);
  return b;
}

LoadedBatch BatchLoader::nextLoad() {
  if (!prefetch_ || !samplerStarted_ || !sampler_ || !sampler_->drawsInSequence()) {
    dropPrefetched();
    return load();
  }
  if (!prefetcher_) prefetcher_ = std::make_unique<BatchPrefetcher>(2);
  if (!prefetcher_->running()) prefetcher_->start([this] { return load(); });
  return prefetcher_->take();
}

bool BatchLoader::next(torch::Tensor& images, torch::Tensor& labels) {
  if (!echoQueue_.defined() || echoQueue_.size(0) == 0) {
    LoadedBatch b = nextLoad();
    drawn_ += b.drawn;
    torch::Tensor fresh = b.indices;
    if (fresh.size(0) == 0) return false;
    ++loads_;
    loadedImages_ = std::move(b.images);
    loadedLabels_ = std::move(b.labels);
    loadedIndices_ = fresh;
    echoQueue_ = torch::arange(fresh.size(0), torch::kInt64).repeat({echo_});
    if (echo_ > 1 && echoExamples_) {
      torch::Generator gen = seededGenerator(seed_ + 17, static_cast<uint64_t>(loads_));
      echoQueue_ =
          echoQueue_.index_select(0, torch::randperm(echoQueue_.size(0), gen, torch::kInt64));
    }
  }
  const int64_t n = loadedIndices_.size(0);
  torch::Tensor positions = echoQueue_.narrow(0, 0, n);
  echoQueue_ = echoQueue_.narrow(0, n, echoQueue_.size(0) - n);
  // Without echoing the loaded batch is served as it is. Echoes are copies,
  // so a method that edits a batch in place cannot change a later echo.
  if (echo_ == 1) {
    images = loadedImages_;
    labels = loadedLabels_;
    lastIndices_ = loadedIndices_;
    return true;
  }
  lastIndices_ = loadedIndices_.index_select(0, positions);
  torch::Tensor onDevice = positions.to(loadedImages_.device());
  images = loadedImages_.index_select(0, onDevice);
  labels = loadedLabels_.index_select(0, onDevice);
  return true;
}

BatchLoader::Position BatchLoader::position() const {
  return {drawn_, loads_, loadedIndices_, echoQueue_};
}

void BatchLoader::restore(const Position& p) {
  // Samplers draw in order, so drawing the same count again (and dropping
  // it) leaves the sampler where it was, whatever the batch sizes were.
  dropPrefetched();
  if (p.drawn > 0) sampler_->next(p.drawn);
  drawn_ = p.drawn;
  loads_ = p.loads;
  echoQueue_ = p.echoQueue;
  if (p.loadedIndices.defined() && p.loadedIndices.numel() > 0) {
    loadedIndices_ = p.loadedIndices;
    torch::Tensor idx = loadedIndices_.to(split_.images.device());
    loadedImages_ = split_.images.index_select(0, idx);
    loadedLabels_ = split_.labels.index_select(0, idx);
  }
}

} // namespace fiver::runtime
