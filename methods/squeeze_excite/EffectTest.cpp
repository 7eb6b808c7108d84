// squeeze_excite's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "tests/composition/Probes.h"

namespace fiver::composition {
namespace {
const EffectRegistrar kEffect(MethodUnderTest{
    "squeeze_excite",
    "retrofit architecture static domain squeeze_excite(reduction: 2, min_channels: 4)",
    {InputKind::Image},
    gateProbe});
} // namespace
} // namespace fiver::composition
