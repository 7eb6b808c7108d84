// flip_tta's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "tests/composition/Probes.h"

namespace fiver::composition {
namespace {
const EffectRegistrar kEffect(MethodUnderTest{
    "flip_tta", "retrofit training_data static domain flip_tta", {InputKind::Image}, flipProbe});
} // namespace
} // namespace fiver::composition
