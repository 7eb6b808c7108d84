// The runtime hook of gradient_clipping: a pure function (usable and testable alone)
// plus the Method that calls it on its events.
#pragma once

#include "runtime/methods/OptimizedParameters.h"
#include "runtime/train/Method.h"

#include <map>
#include <string>
#include <vector>

namespace fiver::runtime {

// --- gradient_clipping: bounds the gradients before the optimizer step ---
// Rescales all gradients together when their global L2 norm exceeds maxNorm;
// returns the norm before clipping.
double clipGradientNorm(const std::vector<torch::Tensor>& params, double maxNorm);
// AGC: each output unit's gradient is rescaled to at most clipRatio times the
// norm of that unit's weights (weights' norms floored at eps).
void clipGradientsAdaptive(const std::vector<torch::Tensor>& params, double clipRatio,
                           double eps = 1e-3);
void clipGradientValues(const std::vector<torch::Tensor>& params, double maxValue);

class GradientClipping : public Method {
public:
  // mode: norm, adaptive or value.
  GradientClipping(std::string mode, double maxNorm, double clipRatio);
  // After data parallelism has averaged the gradients (AFTER_BACKWARD).
  bool match(Event e, const TrainState&) const override { return e == Event::BeforeOptimizerStep; }
  void apply(Event e, TrainState& s) override;
  size_t clippedSteps() const { return clippedSteps_; } // steps where clipping acted

private:
  std::string mode_;
  double maxNorm_, clipRatio_;
  size_t clippedSteps_ = 0;
};

} // namespace fiver::runtime
