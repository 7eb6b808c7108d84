// factorize's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "tests/composition/Probes.h"

namespace fiver::composition {
namespace {
const EffectRegistrar kEffect(MethodUnderTest{
    "factorize",
    "restrict model_parameters static domain factorize(rank: 0.5, min_channels: 4, "
    "min_features: 4, "
    "min_saving: 0%)",
    {InputKind::Image, InputKind::Text},
    lowRankLayerProbe});
} // namespace
} // namespace fiver::composition
