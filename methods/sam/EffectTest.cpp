// sam's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "tests/composition/Probes.h"

namespace fiver::composition {
namespace {

std::unique_ptr<Probe> samProbe(const plan::Plan&) {
  return secondGradientProbe(1);
}

const EffectRegistrar kEffect(MethodUnderTest{
    "sam",
    "retrofit training_objective static domain sam(rho: 0.5)",
    {InputKind::Image, InputKind::Text},
    samProbe});
} // namespace
} // namespace fiver::composition
