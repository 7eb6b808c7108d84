// lr_range_test's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "tests/composition/Probes.h"

namespace fiver::composition {
namespace {
const EffectRegistrar kEffect(MethodUnderTest{
    "lr_range_test",
    "replace training_algorithm static learned lr_range_test(length: 10 steps)",
    {InputKind::Image, InputKind::Text},
    foundRateProbe});
} // namespace
} // namespace fiver::composition
