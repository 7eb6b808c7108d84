// progressive_resize's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "tests/composition/ProbeSupport.h"

namespace fiver::composition {
namespace {

// Progressive resizing: never larger than the step's stage, and smaller than
// the task's images early on.
class ResizedInput : public Probe {
public:
  explicit ResizedInput(const plan::Plan& p) : plan_(p) {}
  void afterMethods(Event e, const TrainState& s) override {
    if (e != Event::AfterData) return;
    auto [h, w] = stageSize(plan_, s.step);
    expect(s.images.size(2) <= h && s.images.size(3) <= w,
           "step " + std::to_string(s.step) + " trains on " + dims(s.images) + ", its stage is " +
               std::to_string(h) + "x" + std::to_string(w));
    if (s.step == 0)
      expect(s.images.size(2) < plan_.task.inputShape[1], "the first step trains at full size");
  }

private:
  const plan::Plan& plan_;
};

std::unique_ptr<Probe> resizedInputProbe(const plan::Plan& p) {
  return std::make_unique<ResizedInput>(p);
}

const EffectRegistrar kEffect(MethodUnderTest{
    "progressive_resize",
    "reorder training_data dynamic domain progressive_resize(from: 0.5, until: 100%)",
    {InputKind::Image},
    resizedInputProbe});
} // namespace
} // namespace fiver::composition
