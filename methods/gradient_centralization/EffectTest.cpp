// gradient_centralization's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "runtime/methods/OptimizedParameters.h"
#include "tests/composition/Probe.h"

namespace fiver::composition {
namespace {

// Gradient centralization: every weight gradient of a convolution or linear
// layer has zero mean over its inputs, per output unit, to float precision:
// a later linear transform that keeps the means zero in exact arithmetic
// (shampoo's right factor has the all-ones vector in its null space) leaves
// rounding of about 1e-5 of the largest entry.
class CentredGradients : public Probe {
public:
  void afterMethods(Event e, const TrainState& s) override {
    if (e != Event::BeforeOptimizerStep) return;
    for (const torch::Tensor& p : runtime::optimizedParameters(s.optimizer)) {
      if (p.dim() < 2 || !p.grad().defined()) continue;
      torch::Tensor g = p.grad().flatten(1);
      const double mean = g.mean(1).abs().max().item<double>();
      const double scale = g.abs().max().item<double>();
      expect(mean <= 1e-4 * scale + 1e-12, "step " + std::to_string(s.step) +
                                               ": a gradient row has mean " + std::to_string(mean) +
                                               " (largest entry " + std::to_string(scale) + ")");
    }
  }
};

std::unique_ptr<Probe> centredGradientsProbe(const plan::Plan&) {
  return std::make_unique<CentredGradients>();
}

const EffectRegistrar kEffect(MethodUnderTest{
    "gradient_centralization",
    "restrict derived_data static domain gradient_centralization",
    {InputKind::Image, InputKind::Text},
    centredGradientsProbe});
} // namespace
} // namespace fiver::composition
