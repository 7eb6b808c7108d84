// selective_backprop's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "tests/composition/Probes.h"

namespace fiver::composition {
namespace {
const EffectRegistrar kEffect(MethodUnderTest{
    "selective_backprop",
    "remove derived_data dynamic domain selective_backprop(keep: 50%, start: 0%, end: 100%, "
    "interrupt: 0)",
    {InputKind::Image, InputKind::Text},
    keptFractionProbe});
} // namespace
} // namespace fiver::composition
