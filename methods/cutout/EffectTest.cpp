// cutout's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "tests/composition/Probes.h"

namespace fiver::composition {
namespace {
const EffectRegistrar kEffect(MethodUnderTest{
    "cutout",
    "remove training_data dynamic domain cutout(holes: 1, length: 0.5)",
    {InputKind::Image},
    zeroedPatchesProbe,
    {{"mixup", "mixup blends every pixel, the patch included, with a partner image (the order "
               "timm uses too: erase, then mix)"}}});
} // namespace
} // namespace fiver::composition
