// sign_compression's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "tests/composition/Probes.h"

namespace fiver::composition {
namespace {
const EffectRegistrar kEffect(MethodUnderTest{
    "sign_compression",
    "restrict derived_data static domain sign_compression",
    {InputKind::Image, InputKind::Text},
    signProbe});
} // namespace
} // namespace fiver::composition
