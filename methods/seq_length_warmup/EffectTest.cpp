// seq_length_warmup's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "tests/composition/Probes.h"

namespace fiver::composition {
namespace {
const EffectRegistrar kEffect(MethodUnderTest{
    "seq_length_warmup",
    "reorder training_data dynamic domain seq_length_warmup(from: 0.5, until: 67%, multiple: 4)",
    {InputKind::Text},
    shortSequencesProbe});
} // namespace
} // namespace fiver::composition
