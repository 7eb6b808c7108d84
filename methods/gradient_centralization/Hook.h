// The runtime hook of gradient_centralization: a pure function (usable and testable alone)
// plus the Method that calls it on its events.
#pragma once

#include "runtime/methods/OptimizedParameters.h"
#include "runtime/train/Method.h"

#include <map>
#include <string>
#include <vector>

namespace fiver::runtime {

// --- gradient_centralization: weight gradients with zero mean per output unit ---
// Conv weights (dim > 2) always; linear weights (dim 2) when includeLinear.
void centralizeGradients(const std::vector<torch::Tensor>& params, bool includeLinear);

class GradientCentralization : public Method {
public:
  explicit GradientCentralization(bool includeLinear) : includeLinear_(includeLinear) {}
  bool match(Event e, const TrainState&) const override { return e == Event::BeforeOptimizerStep; }
  void apply(Event e, TrainState& s) override;

private:
  bool includeLinear_;
};

} // namespace fiver::runtime
