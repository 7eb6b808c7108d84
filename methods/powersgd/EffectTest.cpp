// powersgd's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "tests/composition/Probes.h"

namespace fiver::composition {
namespace {
const EffectRegistrar kEffect(MethodUnderTest{
    "powersgd",
    "restrict derived_data static domain powersgd(rank: 1)",
    {InputKind::Image, InputKind::Text},
    lowRankProbe});
} // namespace
} // namespace fiver::composition
