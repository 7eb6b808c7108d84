// curriculum's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "tests/composition/Probes.h"

namespace fiver::composition {
namespace {
const EffectRegistrar kEffect(MethodUnderTest{
    "curriculum",
    "reorder training_data dynamic learned curriculum(start: 10%, until: 100%, score_at: 1 "
    "steps)",
    {InputKind::Image, InputKind::Text},
    easyStartProbe});
} // namespace
} // namespace fiver::composition
