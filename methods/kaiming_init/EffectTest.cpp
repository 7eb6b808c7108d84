// kaiming_init's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "tests/composition/Probes.h"

namespace fiver::composition {
namespace {
const EffectRegistrar kEffect(MethodUnderTest{
    "kaiming_init",
    "restrict training_algorithm static domain kaiming_init",
    {InputKind::Image, InputKind::Text},
    kaimingProbe});
} // namespace
} // namespace fiver::composition
