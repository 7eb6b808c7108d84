// lars's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "tests/composition/Probes.h"

namespace fiver::composition {
namespace {
const EffectRegistrar kEffect(MethodUnderTest{
    "lars", "replace training_algorithm dynamic domain lars", {InputKind::Image}, larsProbe});
} // namespace
} // namespace fiver::composition
