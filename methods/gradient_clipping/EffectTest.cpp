// gradient_clipping's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "tests/composition/Probes.h"

namespace fiver::composition {
namespace {
const EffectRegistrar kEffect(MethodUnderTest{
    "gradient_clipping",
    "restrict derived_data static domain gradient_clipping(max_norm: 0.01)",
    {InputKind::Image, InputKind::Text},
    boundedNormProbe});
} // namespace
} // namespace fiver::composition
