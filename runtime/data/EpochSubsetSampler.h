// A sampler whose epoch holds a subset of the examples chosen anew at every
// epoch's start (dynamic data pruning): the chooser names the epoch's example
// indices, which are then served in a permutation drawn from (seed, epoch).
#pragma once

#include "runtime/data/Sampler.h"

#include <functional>
#include <optional>

namespace fiver::runtime {

class EpochSubsetSampler : public Sampler {
public:
  using Chooser = std::function<torch::Tensor(int64_t epoch)>;
  EpochSubsetSampler(Chooser choose, uint64_t seed) : choose_(std::move(choose)), seed_(seed) {}
  // An epoch's subset is chosen once: starting the same epoch again (the
  // loader rewinding what it prefetched) serves the same subset.
  void startEpoch(int64_t epoch) override;
  torch::Tensor next(int64_t count) override { return subset_->next(count); }
  bool drawsInSequence() const override { return true; }

  // The current epoch and its subset (undefined before the first epoch).
  int64_t epoch() const { return epoch_; }
  const torch::Tensor& indices() const;
  // A resumed run: `epoch` serves `indices`, as the interrupted run did,
  // without choosing again.
  void restore(int64_t epoch, const torch::Tensor& indices);

private:
  Chooser choose_;
  uint64_t seed_;
  int64_t epoch_ = -1;
  std::optional<SubsetSampler> subset_;
};

} // namespace fiver::runtime
