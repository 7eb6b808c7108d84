// cyclic_lr's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "tests/composition/Probes.h"

namespace fiver::composition {
namespace {
const EffectRegistrar kEffect(MethodUnderTest{
    "cyclic_lr",
    "reorder training_algorithm dynamic domain cyclic_lr(div_factor: 10, cycle: 2 steps)",
    {InputKind::Image, InputKind::Text},
    cyclicProbe});
} // namespace
} // namespace fiver::composition
