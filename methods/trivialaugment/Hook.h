// The runtime hook of trivialaugment: a pure function (usable and testable
// alone) plus the Method that calls it after each batch is loaded.
#pragma once

#include "runtime/train/Method.h"

namespace fiver::runtime {

// One op per image, drawn uniformly from the whole set (runtime/data/AugmentOps.h),
// at a magnitude drawn uniformly from 31 levels in [0, 1] with a random sign.
// `pixels` in [0, 1]; returns the augmented pixels and, in `drawnOps`, the op
// each image got.
torch::Tensor trivialAugment(const torch::Tensor& pixels, torch::Tensor* drawnOps = nullptr);

class TrivialAugment : public Method {
public:
  bool match(Event e, const TrainState&) const override { return e == Event::AfterData; }
  void apply(Event e, TrainState& s) override;
};

} // namespace fiver::runtime
