// bce_for_mixup's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "tests/composition/Probes.h"

namespace fiver::composition {
namespace {
const EffectRegistrar kEffect(MethodUnderTest{
    "bce_for_mixup",
    "replace training_objective static domain bce_for_mixup(smoothing: 0.1)",
    {InputKind::Image},
    binaryLossProbe});
} // namespace
} // namespace fiver::composition
