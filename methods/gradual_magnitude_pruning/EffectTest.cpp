// gradual_magnitude_pruning's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "tests/composition/Probes.h"

namespace fiver::composition {
namespace {
const EffectRegistrar kEffect(MethodUnderTest{
    "gradual_magnitude_pruning",
    "remove model_parameters dynamic domain gradual_magnitude_pruning(final_sparsity: 50%, "
    "start: 0%, end: 34%, frequency: 1 steps)",
    {InputKind::Image, InputKind::Text},
    pruningProbe});
} // namespace
} // namespace fiver::composition
