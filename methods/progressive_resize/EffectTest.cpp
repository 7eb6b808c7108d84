// progressive_resize's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "tests/composition/Probes.h"

namespace fiver::composition {
namespace {
const EffectRegistrar kEffect(MethodUnderTest{
    "progressive_resize",
    "reorder training_data dynamic domain progressive_resize(from: 0.5, until: 100%)",
    {InputKind::Image},
    resizedInputProbe});
} // namespace
} // namespace fiver::composition
