// orthogonal_init's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "tests/composition/Probes.h"

namespace fiver::composition {
namespace {
const EffectRegistrar kEffect(MethodUnderTest{
    "orthogonal_init",
    "restrict training_algorithm static domain orthogonal_init",
    {InputKind::Image, InputKind::Text},
    orthogonalProbe});
} // namespace
} // namespace fiver::composition
