// The runtime hook of cutout: a pure function (usable and testable alone)
// plus the Method that calls it on its events.
#pragma once

#include "runtime/data/Sampler.h"
#include "runtime/methods/DataSeams.h"
#include "runtime/train/Method.h"

#include <map>
#include <string>
#include <vector>

namespace fiver::runtime {

// --- cutout: square patches set to zero ---
// The side of a patch in pixels: round(length x the shorter image side).
int64_t cutoutSide(int64_t height, int64_t width, double length);
// B x 1 x H x W, 0 inside any of `holes` squares of side `side` centred at
// uniform random pixels (clipped to the image), 1 elsewhere.
torch::Tensor cutoutMask(int64_t batch, int64_t height, int64_t width, int64_t holes, int64_t side,
                         const torch::TensorOptions& options);

class Cutout : public Method {
public:
  Cutout(int64_t holes, double length) : holes_(holes), length_(length) {}
  bool match(Event e, const TrainState&) const override { return e == Event::AfterData; }
  void apply(Event e, TrainState& s) override;

private:
  int64_t holes_;
  double length_;
};

} // namespace fiver::runtime
