// efficient_sam's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "tests/composition/Probes.h"

#include <cmath>

namespace fiver::composition {
namespace {

std::unique_ptr<Probe> efficientSamProbe(const plan::Plan& p) {
  return secondGradientProbe(std::llround(methodArgument(p, "efficient_sam", "k")));
}

const EffectRegistrar kEffect(MethodUnderTest{
    "efficient_sam",
    "remove training_objective dynamic domain efficient_sam(rho: 0.5, k: 2)",
    {InputKind::Image, InputKind::Text},
    efficientSamProbe});
} // namespace
} // namespace fiver::composition
