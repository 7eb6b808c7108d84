// The data-side stdlib methods: what a batch holds (colout, cutout,
// augmentation_multiplicity, selective_backprop), which examples an epoch
// visits and in what order (data_pruning, curriculum), how often a loaded
// batch is reused (data_echoing), how large batches are (batch_size_warmup),
// and the objective on soft targets (bce_for_mixup). Each is a pure function
// (usable and testable alone) plus a Method that calls it on its events.
// Methods that change the data order or the batch size go through the
// BatchLoader's seams (sampler, batch size, echo), never the training loop.
#pragma once

#include "runtime/data/Sampler.h"
#include "runtime/methods/DataSeams.h"
#include "runtime/methods/ExampleScores.h"
#include "runtime/train/Method.h"

namespace fiver::runtime {

// --- seq_length_warmup: short sequences first, full length by `until` ---
// The length at `step`: from x T growing linearly to T over `rampSteps`,
// rounded down to a multiple of `multiple` (at least one multiple, at most T).
int64_t warmupSequenceLength(int64_t fullLength, double from, int64_t rampSteps, int64_t multiple,
                             int64_t step);
// Token batches [B, T] and their next-token labels, cut to `length`: by
// truncation (the rest of each row is dropped), or, without `truncate`, by
// splitting each row into T / length rows of `length` tokens.
void shortenSequences(torch::Tensor& tokens, torch::Tensor& labels, int64_t length, bool truncate);

class SeqLengthWarmup : public Method {
public:
  SeqLengthWarmup(const plan::Plan& p, double from, double until, int64_t multiple, bool truncate);
  bool match(Event e, const TrainState&) const override { return e == Event::AfterData; }
  void apply(Event e, TrainState& s) override;

private:
  int64_t fullLength_;
  double from_;
  int64_t rampSteps_;
  int64_t multiple_;
  bool truncate_;
};

// --- colout: random rows and columns removed, the image really shrinks ---
// Keeps round((1 - pRow) H) rows and round((1 - pCol) W) columns (at least
// one), in their original order; the same ones for the whole batch when
// `sameForBatch`, otherwise drawn per image.
torch::Tensor coloutBatch(const torch::Tensor& images, double pRow, double pCol, bool sameForBatch);

class Colout : public Method {
public:
  Colout(double pRow, double pCol, bool sameForBatch)
      : pRow_(pRow), pCol_(pCol), sameForBatch_(sameForBatch) {}
  bool match(Event e, const TrainState&) const override { return e == Event::AfterData; }
  void apply(Event e, TrainState& s) override;

private:
  double pRow_, pCol_;
  bool sameForBatch_;
};

// --- cutout: square patches set to zero ---
// The side of a patch in pixels: round(length x the shorter image side).
int64_t cutoutSide(int64_t height, int64_t width, double length);
// B x 1 x H x W, 0 inside any of `holes` squares of side `side` centred at
// uniform random pixels (clipped to the image), 1 elsewhere.
torch::Tensor cutoutMask(int64_t batch, int64_t height, int64_t width, int64_t holes, int64_t side,
                         const torch::TensorOptions& options);

class Cutout : public Method {
public:
  Cutout(int64_t holes, double length) : holes_(holes), length_(length) {}
  bool match(Event e, const TrainState&) const override { return e == Event::AfterData; }
  void apply(Event e, TrainState& s) override;

private:
  int64_t holes_;
  double length_;
};

// --- flip_tta: evaluation averages the logits of each image and its mirror ---
class FlipTta : public Method {
public:
  bool match(Event e, const TrainState&) const override { return e == Event::EvalStart; }
  void apply(Event, TrainState& s) override { s.flipAtEvaluation = true; }
};

// --- data_pruning: the epoch holds only the kept fraction ---
// Indices (ascending) of the ceil(keep x n_c) highest (or lowest) scores of
// each class c, so pruning keeps the class balance; sequences (labels
// [N, T]) form one group.
torch::Tensor keptExamples(const torch::Tensor& scores, const torch::Tensor& labels, double keep,
                           bool keepHardest);

class DataPruning : public Method {
public:
  DataPruning(double keep, ExampleScoring scoring, bool keepHardest);
  bool match(Event e, const TrainState&) const override { return e == Event::FitStart; }
  void apply(Event e, TrainState& s) override;
  const torch::Tensor& scores() const { return scores_; }
  const torch::Tensor& kept() const { return kept_; }

private:
  double keep_;
  ExampleScoring scoring_;
  bool keepHardest_;
  torch::Tensor scores_, kept_;
};

// --- curriculum: batches drawn from the easiest fraction, which grows ---
// After data_pruning (declared `after`) it ranks only the kept examples.
// The fraction of the data (easiest first) batches come from at `step`.
// pacing (Wu et al.): linear, root (fast growth), quad (slow growth), exp
// (slower still), step (the pool doubles at equal intervals).
double curriculumFraction(const std::string& pacing, double start, int64_t untilStep, int64_t step);
void checkPacingName(const std::string& pacing);

// While the pool is smaller than the data, draws each batch uniformly from the
// `pool` easiest examples; the epoch keeps the wrapped sampler's length, and
// at full pool the wrapped sampler's order is used unchanged.
class CurriculumSampler : public Sampler {
public:
  CurriculumSampler(torch::Tensor easiestFirst, std::unique_ptr<Sampler> base, uint64_t seed);
  void startEpoch(int64_t epoch) override { base_->startEpoch(epoch); }
  torch::Tensor next(int64_t count) override;
  void setPool(int64_t pool) { pool_ = pool; }
  int64_t pool() const { return pool_; }

private:
  torch::Tensor ranking_;
  std::unique_ptr<Sampler> base_;
  uint64_t seed_;
  int64_t pool_;
  uint64_t draws_ = 0;
};

class Curriculum : public Method {
public:
  Curriculum(std::string pacing, double start, double until, ExampleScoring scoring);
  bool match(Event e, const TrainState&) const override {
    return e == Event::FitStart || e == Event::BatchEnd;
  }
  void apply(Event e, TrainState& s) override;
  const torch::Tensor& easiestFirst() const { return ranking_; }
  int64_t pool() const { return sampler_ ? sampler_->pool() : 0; }

private:
  std::string pacing_;
  double start_, until_;
  ExampleScoring scoring_;
  torch::Tensor ranking_;
  CurriculumSampler* sampler_ = nullptr; // owned by the loader
};

// --- augmentation_multiplicity: k copies of each example, augmented apart ---
// Each index of the wrapped sampler `copies` times in a row. A batch of n
// holds ceil(n / copies) examples, or, with `growBatch`, n examples and
// n x copies images. The Trainer augments every image on its own, so the
// copies differ wherever the plan augments.
class RepeatSampler : public Sampler {
public:
  RepeatSampler(std::unique_ptr<Sampler> base, int64_t copies, bool growBatch)
      : base_(std::move(base)), copies_(copies), grow_(growBatch) {}
  void startEpoch(int64_t epoch) override { base_->startEpoch(epoch); }
  torch::Tensor next(int64_t count) override;

private:
  std::unique_ptr<Sampler> base_;
  int64_t copies_;
  bool grow_;
};

class AugmentationMultiplicity : public Method {
public:
  AugmentationMultiplicity(int64_t copies, bool keepBatchSize)
      : copies_(copies), keepBatchSize_(keepBatchSize) {}
  bool match(Event e, const TrainState&) const override { return e == Event::FitStart; }
  void apply(Event e, TrainState& s) override;

private:
  int64_t copies_;
  bool keepBatchSize_;
};

// --- data_echoing: each loaded batch serves `factor` steps ---
class DataEchoing : public Method {
public:
  DataEchoing(int64_t factor, std::string stage);
  bool match(Event e, const TrainState&) const override { return e == Event::FitStart; }
  void apply(Event e, TrainState& s) override;

private:
  int64_t factor_;
  bool exampleStage_;
};

// --- selective_backprop: only the highest-loss examples reach backward ---
// Per-example loss of `output` against soft `targets` when defined, else `labels`.
torch::Tensor perExampleLoss(const torch::Tensor& output, const torch::Tensor& labels,
                             const torch::Tensor& targets);
// Indices of the ceil(keep x B) highest losses.
torch::Tensor highestLosses(const torch::Tensor& losses, double keep);

class SelectiveBackprop : public Method {
public:
  SelectiveBackprop(double keep, int64_t startStep, int64_t endStep, int64_t interrupt)
      : keep_(keep), startStep_(startStep), endStep_(endStep), interrupt_(interrupt) {}
  bool match(Event e, const TrainState& s) const override;
  void apply(Event e, TrainState& s) override;
  int64_t selectedSteps() const { return selectedSteps_; }

private:
  double keep_;
  int64_t startStep_, endStep_, interrupt_;
  int64_t selectedSteps_ = 0;
};

// --- bce_for_mixup: per-class binary cross-entropy on soft targets ---
// Sum over classes, mean over the batch, of BCE(sigmoid(output), t), where t is `targets`
// smoothed towards 1/classes by `smoothing` and, when threshold > 0, set to 1
// where above it and 0 elsewhere.
torch::Tensor binaryCrossEntropyLoss(const torch::Tensor& output, const torch::Tensor& targets,
                                     double smoothing, double threshold);

class BceForMixup : public Method {
public:
  BceForMixup(double smoothing, double threshold) : smoothing_(smoothing), threshold_(threshold) {}
  bool match(Event e, const TrainState&) const override { return e == Event::AfterLoss; }
  void apply(Event e, TrainState& s) override;

private:
  double smoothing_, threshold_;
};

// --- batch_size_warmup: the batch grows to the plan's size over `until` ---
// from x batch rising linearly to batch at untilStep, rounded to `multiple`.
int64_t warmupBatchSize(int64_t batch, double from, int64_t untilStep, int64_t multiple,
                        int64_t step);

class BatchSizeWarmup : public Method {
public:
  BatchSizeWarmup(double from, int64_t untilStep, int64_t multiple, bool scaleLr)
      : from_(from), untilStep_(untilStep), multiple_(multiple), scaleLr_(scaleLr) {}
  bool match(Event e, const TrainState&) const override {
    return e == Event::FitStart || e == Event::BatchEnd || (scaleLr_ && e == Event::BeforeForward);
  }
  void apply(Event e, TrainState& s) override;

private:
  double from_;
  int64_t untilStep_, multiple_;
  bool scaleLr_;
};

} // namespace fiver::runtime
