// The runtime hook of random_resized_crop: pure functions (usable and
// testable alone) plus the Method that calls them after each batch is loaded.
#pragma once

#include "runtime/train/Method.h"

namespace fiver::runtime {

// B x 4 crop boxes as fractions of the image side: (top, left, height,
// width), each inside [0, 1]. The area height x width is uniform in
// [scale, 1], the aspect ratio width / height log-uniform in [1/ratio, ratio]
// (a side that would exceed the image is cut to it), the position uniform.
torch::Tensor randomCropBoxes(int64_t batch, double scale, double ratio);
// Each image's box resampled bilinearly to the image's own H x W: one
// affine grid for the whole batch, no per-image loop.
torch::Tensor resizedCrops(const torch::Tensor& images, const torch::Tensor& boxes);

class RandomResizedCrop : public Method {
public:
  RandomResizedCrop(double scale, double ratio) : scale_(scale), ratio_(ratio) {}
  bool match(Event e, const TrainState&) const override { return e == Event::AfterData; }
  void apply(Event e, TrainState& s) override;

private:
  double scale_, ratio_;
};

} // namespace fiver::runtime
