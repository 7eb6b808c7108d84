// cutmix's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "tests/composition/Probes.h"

namespace fiver::composition {
namespace {
const EffectRegistrar kEffect(MethodUnderTest{
    "cutmix",
    "retrofit training_data dynamic domain cutmix(alpha: 1.0)",
    {InputKind::Image},
    mixedTargetsProbe});
} // namespace
} // namespace fiver::composition
