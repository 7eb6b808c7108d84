// colout's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "tests/composition/Probes.h"

namespace fiver::composition {
namespace {
const EffectRegistrar kEffect(MethodUnderTest{
    "colout",
    "remove training_data dynamic domain colout(p_row: 0.25, p_col: 0.25)",
    {InputKind::Image},
    shrunkImagesProbe});
} // namespace
} // namespace fiver::composition
