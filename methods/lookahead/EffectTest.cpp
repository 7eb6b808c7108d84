// lookahead's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "tests/composition/Probes.h"

namespace fiver::composition {
namespace {
const EffectRegistrar kEffect(MethodUnderTest{
    "lookahead",
    "retrofit training_algorithm static domain lookahead(k: 2, alpha: 0.5)",
    {InputKind::Image, InputKind::Text},
    lookaheadProbe});
} // namespace
} // namespace fiver::composition
