// weight_tying's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "tests/composition/Probes.h"

namespace fiver::composition {
namespace {
const EffectRegistrar kEffect(MethodUnderTest{"weight_tying",
                                              "restrict architecture static domain weight_tying",
                                              {InputKind::Text},
                                              tiedProjectionProbe});
} // namespace
} // namespace fiver::composition
