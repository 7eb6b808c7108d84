// batch_size_warmup's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "tests/composition/Probes.h"

namespace fiver::composition {
namespace {
const EffectRegistrar kEffect(MethodUnderTest{
    "batch_size_warmup",
    "restrict training_algorithm dynamic domain batch_size_warmup(from: 0.5, until: 67%, "
    "multiple: 4, scale_lr: false)",
    {InputKind::Image, InputKind::Text},
    growingBatchProbe});
} // namespace
} // namespace fiver::composition
