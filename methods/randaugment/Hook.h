// The runtime hook of randaugment: a pure function (usable and testable
// alone) plus the Method that calls it after each batch is loaded.
#pragma once

#include "runtime/train/Method.h"

namespace fiver::runtime {

// `ops` rounds of one op per image, each drawn uniformly from the whole set
// (runtime/data/AugmentOps.h), all at `magnitude` / 30 with a random sign per
// image and round. `pixels` in [0, 1]; returns the augmented pixels and, in
// `drawnOps` and `drawnMagnitudes`, the B x ops ops and signed magnitudes in
// the order applied.
torch::Tensor randAugment(const torch::Tensor& pixels, int64_t ops, double magnitude,
                          torch::Tensor* drawnOps = nullptr,
                          torch::Tensor* drawnMagnitudes = nullptr);

class RandAugment : public Method {
public:
  RandAugment(int64_t ops, double magnitude) : ops_(ops), magnitude_(magnitude) {}
  bool match(Event e, const TrainState&) const override { return e == Event::AfterData; }
  void apply(Event e, TrainState& s) override;

private:
  int64_t ops_;
  double magnitude_;
};

} // namespace fiver::runtime
