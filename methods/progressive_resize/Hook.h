// The runtime hook of progressive_resize: a pure function (usable and testable alone)
// plus the Method that calls it on its events.
#pragma once

#include "runtime/train/Method.h"

#include <map>
#include <string>
#include <vector>

namespace fiver::runtime {

// --- progressive_resize: feeds the plan's resolution stage for each step ---
torch::Tensor resizeBatch(const torch::Tensor& images, int64_t height, int64_t width);
// The stage in effect at `step` (the input size when there are no stages).
std::pair<int64_t, int64_t> resolutionAt(const plan::Plan& p, int64_t step);

class ProgressiveResize : public Method {
public:
  bool match(Event e, const TrainState&) const override { return e == Event::AfterData; }
  void apply(Event e, TrainState& s) override;
};

} // namespace fiver::runtime
