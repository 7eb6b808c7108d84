// Data-parallel training as a method on the training events: every rank starts
// from rank 0's weights, computes gradients on its own shard of the batch, and
// the ranks average their gradients before the optimizer step, so that all
// ranks take the same step. Frozen parameters (no gradient) are left out of
// the all-reduce, which is where layer freezing saves communication.
#pragma once

#include "runtime/distributed/GradientBuckets.h"
#include "runtime/train/Method.h"

#include <memory>

namespace fiver::runtime::distributed {

class DataParallel : public Method {
public:
  // `overlap`: start each bucket's all-reduce during backward as soon as its
  // gradients are in (off when a compression method reduces the gradients).
  // `syncBatchNorm`: normalise with the statistics of the global batch.
  explicit DataParallel(bool overlap, bool syncBatchNorm = false, int64_t bucketBytes = 256 << 10)
      : overlap_(overlap), syncBatchNorm_(syncBatchNorm), bucketBytes_(bucketBytes) {}
  bool match(Event e, const TrainState&) const override {
    return e == Event::FitStart || e == Event::BatchStart || e == Event::BeforeForward ||
           e == Event::AfterBackward || e == Event::EvalStart;
  }
  void apply(Event e, TrainState& s) override;
  const GradientBuckets* buckets() const { return buckets_.get(); }

private:
  bool overlap_;
  bool syncBatchNorm_;
  int64_t bucketBytes_;
  std::unique_ptr<GradientBuckets> buckets_;
};

} // namespace fiver::runtime::distributed
