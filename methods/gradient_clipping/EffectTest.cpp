// gradient_clipping's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "runtime/methods/OptimizedParameters.h"
#include "tests/composition/Probe.h"

#include <cmath>

namespace fiver::composition {
namespace {

double gradientNorm(const torch::optim::Optimizer& opt) {
  double squares = 0;
  for (const torch::Tensor& p : runtime::optimizedParameters(opt))
    if (p.grad().defined()) squares += p.grad().pow(2).sum().item<double>();
  return std::sqrt(squares);
}

// Clipping by norm: the applied gradient is no longer than max_norm.
class BoundedNorm : public Probe {
public:
  explicit BoundedNorm(double maxNorm) : maxNorm_(maxNorm) {}
  void afterMethods(Event e, const TrainState& s) override {
    if (e != Event::BeforeOptimizerStep) return;
    const double norm = gradientNorm(s.optimizer);
    expect(norm <= maxNorm_ * (1 + 1e-4), "step " + std::to_string(s.step) +
                                              " applies a gradient of norm " +
                                              std::to_string(norm));
  }

private:
  double maxNorm_;
};

std::unique_ptr<Probe> boundedNormProbe(const plan::Plan& p) {
  return std::make_unique<BoundedNorm>(methodArgument(p, "gradient_clipping", "max_norm"));
}

const EffectRegistrar kEffect(MethodUnderTest{
    "gradient_clipping",
    "restrict derived_data static domain gradient_clipping(max_norm: 0.01)",
    {InputKind::Image, InputKind::Text},
    boundedNormProbe});
} // namespace
} // namespace fiver::composition
