// channels_last's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "tests/composition/Probes.h"

namespace fiver::composition {
namespace {
const EffectRegistrar kEffect(MethodUnderTest{"channels_last",
                                              "reorder derived_data static domain channels_last",
                                              {InputKind::Image},
                                              nhwcBatchesProbe});
} // namespace
} // namespace fiver::composition
