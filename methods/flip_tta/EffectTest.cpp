// flip_tta's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "tests/composition/Probe.h"

namespace fiver::composition {
namespace {

// Flip TTA: evaluation averages each image with its mirror.
class FlippedEvaluation : public Probe {
public:
  void afterMethods(Event e, const TrainState& s) override {
    if (e == Event::EvalStart) expect(s.flipAtEvaluation, "evaluation does not flip");
  }
};

std::unique_ptr<Probe> flipProbe(const plan::Plan&) {
  return std::make_unique<FlippedEvaluation>();
}

const EffectRegistrar kEffect(MethodUnderTest{
    "flip_tta", "retrofit training_data static domain flip_tta", {InputKind::Image}, flipProbe});
} // namespace
} // namespace fiver::composition
