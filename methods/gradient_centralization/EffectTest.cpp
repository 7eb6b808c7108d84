// gradient_centralization's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "tests/composition/Probes.h"

namespace fiver::composition {
namespace {
const EffectRegistrar kEffect(MethodUnderTest{
    "gradient_centralization",
    "restrict derived_data static domain gradient_centralization",
    {InputKind::Image, InputKind::Text},
    centredGradientsProbe});
} // namespace
} // namespace fiver::composition
