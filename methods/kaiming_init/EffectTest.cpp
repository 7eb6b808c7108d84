// kaiming_init's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "methods/orthogonal_init/Hook.h"
#include "tests/composition/ProbeSupport.h"

#include <cmath>

namespace fiver::composition {
namespace {

// Kaiming (fan_in, normal): weights start with standard deviation
// sqrt(2 / fan_in), and each residual branch's last batch norm with scale 0.
class KaimingStart : public Probe {
public:
  void afterMethods(Event e, const TrainState& s) override {
    if (e != Event::Init) return;
    for (const auto& [name, w] : weightRows(s.model)) {
      if (w.numel() < 256) continue; // too few draws to estimate a spread
      const double expected = std::sqrt(2.0 / static_cast<double>(w.size(1)));
      const double spread = w.std().item<double>();
      expect(std::abs(spread / expected - 1) < 0.25, name + " starts with spread " +
                                                         std::to_string(spread) + ", expected " +
                                                         std::to_string(expected));
    }
    for (const std::string& bn : runtime::residualBranchEndNorms(s.model->ops()))
      expect(s.model->parametersOf(bn)[0].abs().max().item<double>() == 0,
             bn + " ends a residual branch but its scale is not zero");
  }
};

std::unique_ptr<Probe> kaimingProbe(const plan::Plan&) {
  return std::make_unique<KaimingStart>();
}

const EffectRegistrar kEffect(MethodUnderTest{
    "kaiming_init",
    "restrict training_algorithm static domain kaiming_init",
    {InputKind::Image, InputKind::Text},
    kaimingProbe});
} // namespace
} // namespace fiver::composition
