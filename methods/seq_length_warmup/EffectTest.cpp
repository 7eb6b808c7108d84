// seq_length_warmup's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "tests/composition/Probe.h"

namespace fiver::composition {
namespace {

// Sequence length warmup: the first step trains on shorter sequences than
// the task's, and none is longer.
class ShortSequences : public Probe {
public:
  explicit ShortSequences(int64_t length) : length_(length) {}
  void afterMethods(Event e, const TrainState& s) override {
    if (e != Event::AfterData) return;
    const int64_t t = s.images.size(1);
    expect(t <= length_ && s.labels.size(1) == t,
           "step " + std::to_string(s.step) + " trains on sequences of " + std::to_string(t));
    if (s.step == 0) expect(t < length_, "the first step trains on full-length sequences");
  }

private:
  int64_t length_;
};

std::unique_ptr<Probe> shortSequencesProbe(const plan::Plan& p) {
  return std::make_unique<ShortSequences>(p.task.inputShape.at(0));
}

const EffectRegistrar kEffect(MethodUnderTest{
    "seq_length_warmup",
    "reorder training_data dynamic domain seq_length_warmup(from: 0.5, until: 67%, multiple: 4)",
    {InputKind::Text},
    shortSequencesProbe});
} // namespace
} // namespace fiver::composition
