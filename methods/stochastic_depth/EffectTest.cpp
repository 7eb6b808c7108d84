// stochastic_depth's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "tests/composition/Probes.h"

namespace fiver::composition {
namespace {
const EffectRegistrar kEffect(MethodUnderTest{
    "stochastic_depth",
    "remove architecture dynamic domain stochastic_depth(drop: 0.5)",
    {InputKind::Image},
    branchDropProbe});
} // namespace
} // namespace fiver::composition
