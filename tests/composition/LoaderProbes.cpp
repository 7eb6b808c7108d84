// Probes of the methods that change what the loader hands out: the batch's
// size, its sequence length and its repeated examples, read at AFTER_DATA
// before any data method reshapes the batch further.
#include "tests/composition/Probes.h"

#include "runtime/data/BatchLoader.h"

#include <cmath>
#include <set>

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

// Data echoing: each loaded batch is served `factor` times, so the loader
// gathers about 1 / factor as many batches as the steps train on (one more
// per epoch started, where an echo is cut short).
class EchoedLoads : public Probe {
public:
  explicit EchoedLoads(int64_t factor) : factor_(factor) {}
  void afterMethods(Event e, const TrainState& s) override {
    if (e != Event::BatchEnd || !s.loader) return;
    const int64_t served = s.step + 1;
    const int64_t most = (served + factor_ - 1) / factor_ + s.epoch;
    expect(s.loader->loads() <= most, "step " + std::to_string(s.step) + " has loaded " +
                                          std::to_string(s.loader->loads()) +
                                          " batches, expected at most " + std::to_string(most));
  }

private:
  int64_t factor_;
};

// Data pruning: an epoch draws only from the kept examples, at most
// ceil(keep x n_c) of each class c, or ceil(keep x n) sequences (fewer
// than the matrix's three batches would draw from a whole epoch).
class PrunedDraws : public Probe {
public:
  explicit PrunedDraws(int64_t mostKept) : mostKept_(mostKept) {}
  void afterMethods(Event e, const TrainState& s) override {
    if (e != Event::AfterData || !s.loader) return;
    if (s.epoch != epoch_) drawn_.clear();
    epoch_ = s.epoch;
    const torch::Tensor indices = s.loader->lastIndices().to(torch::kCPU).to(torch::kInt64);
    for (int64_t i = 0; i < indices.numel(); ++i)
      drawn_.insert(indices[i].item<int64_t>());
    expect(static_cast<int64_t>(drawn_.size()) <= mostKept_,
           "epoch " + std::to_string(s.epoch) + " drew " + std::to_string(drawn_.size()) +
               " distinct examples, more than the " + std::to_string(mostKept_) + " kept");
  }

private:
  int64_t mostKept_;
  int64_t epoch_ = -1;
  std::set<int64_t> drawn_;
};

// Curriculum: the first batch comes from the easiest `start` of the data, so
// it holds at most ceil(start x n) distinct examples (fewer than a batch in
// the matrix, where a plain epoch's first batch holds a batch of them).
class EasyStart : public Probe {
public:
  explicit EasyStart(int64_t pool) : pool_(pool) {}
  void afterMethods(Event e, const TrainState& s) override {
    if (e != Event::AfterData || s.step != 0 || !s.loader) return;
    const int64_t distinct = std::get<0>(torch::_unique(s.loader->lastIndices())).numel();
    expect(distinct <= pool_, "the first batch draws " + std::to_string(distinct) +
                                  " distinct examples from a pool of " + std::to_string(pool_));
  }

private:
  int64_t pool_;
};

} // namespace

std::unique_ptr<Probe> easyStartProbe(const plan::Plan& p) {
  const double start = methodArgument(p, "curriculum", "start");
  return std::make_unique<EasyStart>(
      static_cast<int64_t>(std::ceil(start * static_cast<double>(p.task.trainSize))));
}
std::unique_ptr<Probe> echoedLoadsProbe(const plan::Plan& p) {
  return std::make_unique<EchoedLoads>(std::llround(methodArgument(p, "data_echoing", "factor")));
}
std::unique_ptr<Probe> prunedDrawsProbe(const plan::Plan& p) {
  const double keep = methodArgument(p, "data_pruning", "keep");
  // Sequences (a text task) are kept as one group, images per class.
  const bool sequences = p.task.inputShape.size() == 1;
  return std::make_unique<PrunedDraws>(
      static_cast<int64_t>(std::ceil(keep * static_cast<double>(p.task.trainSize))) +
      (sequences ? 0 : p.task.classes));
}
std::unique_ptr<Probe> growingBatchProbe(const plan::Plan& p) {
  return std::make_unique<GrowingBatch>(p.training.batchSize);
}
std::unique_ptr<Probe> shortSequencesProbe(const plan::Plan& p) {
  return std::make_unique<ShortSequences>(p.task.inputShape.at(0));
}
std::unique_ptr<Probe> repeatedExamplesProbe(const plan::Plan& p) {
  return std::make_unique<RepeatedExamples>(
      std::llround(methodArgument(p, "augmentation_multiplicity", "copies")));
}

} // namespace fiver::composition
