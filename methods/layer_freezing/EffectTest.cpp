// layer_freezing's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "tests/composition/Probes.h"

namespace fiver::composition {
namespace {
const EffectRegistrar kEffect(MethodUnderTest{
    "layer_freezing",
    "reorder model_parameters dynamic domain layer_freezing(start: 0%, end: 34%)",
    {InputKind::Image, InputKind::Text},
    freezingProbe});
} // namespace
} // namespace fiver::composition
