// label_smoothing's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "tests/composition/Probes.h"

namespace fiver::composition {
namespace {
const EffectRegistrar kEffect(MethodUnderTest{
    "label_smoothing",
    "replace training_objective static domain label_smoothing(0.2)",
    {InputKind::Image, InputKind::Text},
    smoothedLossProbe});
} // namespace
} // namespace fiver::composition
