// orthogonal_init's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "tests/composition/ProbeSupport.h"

namespace fiver::composition {
namespace {

// Orthogonal: each [out, fan_in] weight has orthonormal rows (or columns),
// times the gain.
class OrthogonalStart : public Probe {
public:
  explicit OrthogonalStart(double gain) : gain_(gain) {}
  void afterMethods(Event e, const TrainState& s) override {
    if (e != Event::Init) return;
    for (const auto& [name, w] : weightRows(s.model)) {
      torch::Tensor m = w.to(torch::kFloat64);
      torch::Tensor gram = m.size(0) <= m.size(1) ? m.mm(m.t()) : m.t().mm(m);
      torch::Tensor identity = torch::eye(gram.size(0), gram.options()) * gain_ * gain_;
      const double off = (gram - identity).abs().max().item<double>();
      expect(off < 1e-4, name + " is " + std::to_string(off) + " away from orthogonal");
    }
  }

private:
  double gain_;
};

std::unique_ptr<Probe> orthogonalProbe(const plan::Plan& p) {
  return std::make_unique<OrthogonalStart>(methodArgument(p, "orthogonal_init", "gain"));
}

const EffectRegistrar kEffect(MethodUnderTest{
    "orthogonal_init",
    "restrict training_algorithm static domain orthogonal_init",
    {InputKind::Image, InputKind::Text},
    orthogonalProbe});
} // namespace
} // namespace fiver::composition
