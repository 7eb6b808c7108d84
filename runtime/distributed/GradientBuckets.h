// Overlaps the data-parallel gradient all-reduce with the backward pass:
// trainable parameters are grouped into buckets in reverse registration order
// (roughly the order backward produces their gradients); a gradient hook copies
// each gradient into its bucket, and a full bucket starts its all-reduce while
// backward goes on. Buckets always start in the same order on every rank, as
// Gloo pairs collectives by their sequence; a bucket whose turn has not come
// waits for the ones before it.
#pragma once

#include "runtime/train/Collectives.h"

#include <memory>
#include <vector>

namespace fiver::runtime::distributed {

class GradientBuckets {
public:
  GradientBuckets(Collectives& collectives, int64_t bucketBytes)
      : collectives_(collectives), bucketBytes_(bucketBytes) {}

  // Registers a gradient hook on every parameter that takes gradients.
  void attach(std::vector<torch::Tensor> parameters);
  // Before each step: rebuilds the buckets when the trainable set changed
  // (layers froze) and clears the previous step's progress.
  void startStep();
  // After backward: starts the buckets still waiting (with zeros for
  // parameters this rank used no gradient for), waits for all of them and
  // leaves the average over ranks in every trainable parameter's .grad().
  void finish();

  size_t bucketCount() const { return buckets_.size(); }
  // Buckets that started before backward finished, over all steps (tests).
  int64_t overlappedBuckets() const { return overlapped_; }

private:
  struct Bucket {
    std::vector<size_t> members; // parameter indices
    std::vector<int64_t> offsets;
    torch::Tensor flat;
    std::vector<bool> seen;
    size_t ready = 0;
    bool holdsSharedParameter = false; // start only in finish()
    std::unique_ptr<PendingReduction> pending;
  };

  void gradientReady(size_t parameter, const torch::Tensor& grad);
  void startReadyBuckets(bool force);
  void rebuild(const std::vector<bool>& trainable);

  Collectives& collectives_;
  int64_t bucketBytes_;
  std::vector<torch::Tensor> parameters_;
  std::vector<bool> trainable_;
  std::vector<int> bucketOf_, slotOf_; // by parameter index; -1 = none
  std::vector<int> hookCalls_;         // this step, by parameter index
  std::vector<bool> shared_;           // gradient arrives more than once per step
  std::vector<Bucket> buckets_;
  size_t nextToStart_ = 0;
  bool inFirstStep_ = true; // nothing starts early until shared parameters are known
  int64_t overlapped_ = 0;
};

} // namespace fiver::runtime::distributed
