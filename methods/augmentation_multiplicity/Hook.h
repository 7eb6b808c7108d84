// The runtime hook of augmentation_multiplicity: a pure function (usable and testable alone)
// plus the Method that calls it on its events.
#pragma once

#include "runtime/data/Sampler.h"
#include "runtime/methods/DataSeams.h"
#include "runtime/train/Method.h"

#include <map>
#include <string>
#include <vector>

namespace fiver::runtime {

// --- augmentation_multiplicity: k copies of each example, augmented apart ---
// Each index of the wrapped sampler `copies` times in a row. A batch of n
// holds ceil(n / copies) examples, or, with `growBatch`, n examples and
// n x copies images. The Trainer augments every image on its own, so the
// copies differ wherever the plan augments.
class RepeatSampler : public Sampler {
public:
  RepeatSampler(std::unique_ptr<Sampler> base, int64_t copies, bool growBatch)
      : base_(std::move(base)), copies_(copies), grow_(growBatch) {}
  void startEpoch(int64_t epoch) override { base_->startEpoch(epoch); }
  torch::Tensor next(int64_t count) override;

private:
  std::unique_ptr<Sampler> base_;
  int64_t copies_;
  bool grow_;
};

class AugmentationMultiplicity : public Method {
public:
  AugmentationMultiplicity(int64_t copies, bool keepBatchSize)
      : copies_(copies), keepBatchSize_(keepBatchSize) {}
  bool match(Event e, const TrainState&) const override { return e == Event::FitStart; }
  void apply(Event e, TrainState& s) override;

private:
  int64_t copies_;
  bool keepBatchSize_;
};

} // namespace fiver::runtime
