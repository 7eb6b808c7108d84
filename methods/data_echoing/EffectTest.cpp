// data_echoing's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "tests/composition/Probes.h"

namespace fiver::composition {
namespace {
const EffectRegistrar kEffect(MethodUnderTest{
    "data_echoing",
    "retrofit training_data static domain data_echoing(factor: 2)",
    {InputKind::Image, InputKind::Text},
    echoedLoadsProbe});
} // namespace
} // namespace fiver::composition
