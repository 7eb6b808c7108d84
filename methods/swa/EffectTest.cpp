// swa's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "tests/composition/Probes.h"

namespace fiver::composition {
namespace {
const EffectRegistrar kEffect(MethodUnderTest{
    "swa",
    "retrofit model_parameters dynamic domain swa(start: 0%)",
    {InputKind::Image, InputKind::Text},
    swaProbe});
} // namespace
} // namespace fiver::composition
