// batch_size_warmup's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "tests/composition/Probe.h"

namespace fiver::composition {
namespace {

// Batch size warmup: the first step's batch is smaller than the plan's, and
// no batch is larger.
class GrowingBatch : public Probe {
public:
  explicit GrowingBatch(int64_t batch) : batch_(batch) {}
  void beforeMethods(Event e, const TrainState& s) override {
    if (e != Event::AfterData) return;
    const int64_t n = s.labels.size(0);
    expect(n <= batch_, "step " + std::to_string(s.step) + " loads " + std::to_string(n) +
                            " examples, more than the batch size " + std::to_string(batch_));
    if (s.step == 0) expect(n < batch_, "the first step loads a full batch");
  }

private:
  int64_t batch_;
};

std::unique_ptr<Probe> growingBatchProbe(const plan::Plan& p) {
  return std::make_unique<GrowingBatch>(p.training.batchSize);
}

const EffectRegistrar kEffect(MethodUnderTest{
    "batch_size_warmup",
    "restrict training_algorithm dynamic domain batch_size_warmup(from: 0.5, until: 67%, "
    "multiple: 4, scale_lr: false)",
    {InputKind::Image, InputKind::Text},
    growingBatchProbe});
} // namespace
} // namespace fiver::composition
