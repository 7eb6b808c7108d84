// ema's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "tests/composition/Probes.h"

namespace fiver::composition {
namespace {
const EffectRegistrar kEffect(MethodUnderTest{
    "ema",
    "retrofit model_parameters dynamic domain ema(half_life: 2 steps)",
    {InputKind::Image, InputKind::Text},
    emaProbe});
} // namespace
} // namespace fiver::composition
