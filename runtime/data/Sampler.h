// Which training examples the next batch holds. BatchLoader asks its sampler
// for example indices and gathers them; data methods (pruning, curricula,
// augmentation multiplicity) replace or wrap the sampler instead of adding
// special cases to the loader or the training loop.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <memory>

namespace fiver::runtime {

class Sampler {
public:
  virtual ~Sampler() = default;
  virtual void startEpoch(int64_t epoch) = 0;
  // Up to `count` example indices (int64, CPU); fewer at the end of the
  // epoch and none once it is over.
  virtual torch::Tensor next(int64_t count) = 0;
  // True when what next() returns depends only on the epoch and on how many
  // indices were drawn before it (next(a) then next(b) serves what next(a + b)
  // would), and nothing but startEpoch changes that. The loader may then draw
  // ahead on its prefetch thread, and rewind by replaying the served count.
  virtual bool drawsInSequence() const { return false; }
};

// The default: every example once per epoch, in a permutation drawn from
// (seed, epoch) so runs are reproducible and a resumed run sees the same
// order. `padToMultiple` repeats the head of the permutation so the epoch
// splits evenly over data-parallel ranks (DistributedSampler's padding).
class ShuffleSampler : public Sampler {
public:
  ShuffleSampler(int64_t size, uint64_t seed, int64_t padToMultiple = 1);
  void startEpoch(int64_t epoch) override;
  torch::Tensor next(int64_t count) override;
  bool drawsInSequence() const override { return true; }

private:
  int64_t size_;
  uint64_t seed_;
  int64_t padTo_;
  torch::Tensor order_;
  int64_t cursor_ = 0;
};

// A permutation of `indices` each epoch: the epoch holds only those examples.
class SubsetSampler : public Sampler {
public:
  SubsetSampler(torch::Tensor indices, uint64_t seed);
  void startEpoch(int64_t epoch) override;
  torch::Tensor next(int64_t count) override;
  bool drawsInSequence() const override { return true; }
  const torch::Tensor& indices() const { return indices_; }

private:
  torch::Tensor indices_;
  uint64_t seed_;
  torch::Tensor order_;
  int64_t cursor_ = 0;
};

// A CPU generator for (seed, stream): the same draws on every run.
torch::Generator seededGenerator(uint64_t seed, uint64_t stream);

} // namespace fiver::runtime
