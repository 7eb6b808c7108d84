// sign_compression's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "runtime/methods/OptimizedParameters.h"
#include "tests/composition/Probe.h"

namespace fiver::composition {
namespace {

// Sign compression: each gradient the backward pass leaves is one scale
// times signs (every entry has the same magnitude).
class SignGradients : public Probe {
public:
  void afterMethods(Event e, const TrainState& s) override {
    if (e != Event::AfterBackward) return;
    for (const torch::Tensor& p : runtime::optimizedParameters(s.optimizer)) {
      if (!p.grad().defined()) continue;
      torch::Tensor magnitude = p.grad().abs();
      const double spread = (magnitude.max() - magnitude.min()).item<double>();
      expect(spread <= 1e-6 * magnitude.max().item<double>() + 1e-12,
             "step " + std::to_string(s.step) + ": a gradient is not a scaled sign");
    }
  }
};

std::unique_ptr<Probe> signProbe(const plan::Plan&) {
  return std::make_unique<SignGradients>();
}

const EffectRegistrar kEffect(MethodUnderTest{
    "sign_compression",
    "restrict derived_data static domain sign_compression",
    {InputKind::Image, InputKind::Text},
    signProbe});
} // namespace
} // namespace fiver::composition
