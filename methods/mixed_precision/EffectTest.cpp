// mixed_precision's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "tests/composition/Probes.h"

namespace fiver::composition {
namespace {
const EffectRegistrar kEffect(MethodUnderTest{
    "mixed_precision",
    "restrict model_parameters static domain mixed_precision",
    {InputKind::Image, InputKind::Text},
    lowPrecisionProbe});
} // namespace
} // namespace fiver::composition
