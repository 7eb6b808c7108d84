// augmentation_multiplicity's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "tests/composition/Probes.h"

namespace fiver::composition {
namespace {
const EffectRegistrar kEffect(MethodUnderTest{
    "augmentation_multiplicity",
    "retrofit training_data static domain augmentation_multiplicity(copies: 2)",
    {InputKind::Image},
    repeatedExamplesProbe,
    {{"data_echoing", "example echoing reshuffles the echoed examples across batches, so the "
                      "copies no longer share one (batch echoing keeps them)"}}});
} // namespace
} // namespace fiver::composition
