// data_pruning's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "tests/composition/Probes.h"

namespace fiver::composition {
namespace {
const EffectRegistrar kEffect(MethodUnderTest{
    "data_pruning",
    "remove training_data static learned data_pruning(keep: 50%, score_at: 1 steps, "
    "score_seeds: 1)",
    {InputKind::Image, InputKind::Text},
    prunedDrawsProbe});
} // namespace
} // namespace fiver::composition
