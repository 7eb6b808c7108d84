// warmup's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "tests/composition/Probes.h"

namespace fiver::composition {
namespace {
const EffectRegistrar kEffect(MethodUnderTest{
    "warmup",
    "reorder training_algorithm dynamic domain warmup(length: 50%, from: 0.1)",
    {InputKind::Image, InputKind::Text},
    warmupProbe});
} // namespace
} // namespace fiver::composition
