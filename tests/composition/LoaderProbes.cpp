// Probes of the methods that change what the loader hands out: the batch's
// size, its sequence length and its repeated examples, read at AFTER_DATA
// before any data method reshapes the batch further.
#include "tests/composition/Probes.h"

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

// Augmentation multiplicity: the loader hands out each example `copies`
// times in a row (their labels repeat).
class RepeatedExamples : public Probe {
public:
  explicit RepeatedExamples(int64_t copies) : copies_(copies) {}
  void beforeMethods(Event e, const TrainState& s) override {
    if (e != Event::AfterData) return;
    const int64_t n = s.labels.size(0) / copies_ * copies_;
    torch::Tensor groups = s.labels.narrow(0, 0, n).view({-1, copies_});
    expect(groups.eq(groups.select(1, 0).unsqueeze(1)).all().item<bool>(),
           "step " + std::to_string(s.step) + " does not repeat its examples");
  }

private:
  int64_t copies_;
};

} // namespace

std::unique_ptr<Probe> growingBatchProbe(const plan::Plan& p) {
  return std::make_unique<GrowingBatch>(p.training.batchSize);
}
std::unique_ptr<Probe> shortSequencesProbe(const plan::Plan& p) {
  return std::make_unique<ShortSequences>(p.task.inputShape.at(0));
}
std::unique_ptr<Probe> repeatedExamplesProbe(const plan::Plan& p) {
  return std::make_unique<RepeatedExamples>(std::llround(
      plan::getNumber(p.findMethod("augmentation_multiplicity")->params, "copies", 4)));
}

} // namespace fiver::composition
