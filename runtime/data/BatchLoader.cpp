#include "runtime/data/BatchLoader.h"

#include <stdexcept>

namespace fiver::runtime {

BatchLoader::BatchLoader(const Split& split, int64_t batchSize, uint64_t seed)
    : split_(split), batch_(batchSize), seed_(seed),
      sampler_(std::make_unique<ShuffleSampler>(split.size(), seed)) {}

void BatchLoader::shard(int rank, int world) {
  if (world < 1 || rank < 0 || rank >= world) throw std::invalid_argument("bad shard");
  if (batch_ % world != 0)
    throw std::invalid_argument("the batch size " + std::to_string(batch_) +
                                " does not split evenly over " + std::to_string(world) +
                                " processes");
  batch_ /= world;
  rank_ = rank;
  world_ = world;
  sampler_ = std::make_unique<ShuffleSampler>(split_.size(), seed_, world);
}

void BatchLoader::setSampler(std::unique_ptr<Sampler> sampler) {
  if (!sampler) throw std::invalid_argument("null sampler");
  sampler_ = std::move(sampler);
}

std::unique_ptr<Sampler> BatchLoader::takeSampler() {
  return std::move(sampler_);
}

void BatchLoader::setBatchSize(int64_t globalBatchSize) {
  if (globalBatchSize < 1)
    throw std::invalid_argument("batch size " + std::to_string(globalBatchSize));
  batch_ = (globalBatchSize + world_ - 1) / world_;
}

void BatchLoader::setEcho(int64_t factor, bool shuffleExamples) {
  if (factor < 1) throw std::invalid_argument("echo factor " + std::to_string(factor));
  echo_ = factor;
  echoExamples_ = shuffleExamples;
}

void BatchLoader::startEpoch(int64_t epoch) {
  if (!sampler_) throw std::logic_error("BatchLoader has no sampler");
  sampler_->startEpoch(epoch);
  echoQueue_ = torch::Tensor();
  drawn_ = 0;
}

// This rank's indices of the next global batch from the sampler; every
// world-th index from `rank`, after padding the batch to a multiple of world.
torch::Tensor BatchLoader::nextIndices() {
  torch::Tensor global = sampler_->next(batch_ * world_);
  drawn_ += global.size(0);
  if (world_ == 1 || global.size(0) == 0) return global;
  const int64_t n = global.size(0), padded = (n + world_ - 1) / world_ * world_;
  if (padded > n) global = torch::cat({global, global.narrow(0, 0, padded - n)});
  return global.slice(0, rank_, padded, world_).contiguous();
}

bool BatchLoader::next(torch::Tensor& images, torch::Tensor& labels) {
  if (!echoQueue_.defined() || echoQueue_.size(0) == 0) {
    torch::Tensor fresh = nextIndices();
    if (fresh.size(0) == 0) return false;
    ++loads_;
    torch::Tensor idx = fresh.to(split_.images.device());
    loadedImages_ = split_.images.index_select(0, idx);
    loadedLabels_ = split_.labels.index_select(0, idx);
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
