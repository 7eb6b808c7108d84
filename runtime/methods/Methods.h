// The runtime side of the stdlib methods: each a pure function (usable and
// testable alone) plus a Method that calls it on its events.
#pragma once

#include "runtime/train/Method.h"

#include <map>

namespace fiver::runtime {

// --- progressive_resize: feeds the plan's resolution stage for each step ---
torch::Tensor resizeBatch(const torch::Tensor& images, int64_t height, int64_t width);
// The stage in effect at `step` (the input size when there are no stages).
std::pair<int64_t, int64_t> resolutionAt(const plan::Plan& p, int64_t step);

class ProgressiveResize : public Method {
public:
  bool match(Event e, const TrainState&) const override { return e == Event::AfterData; }
  void apply(Event e, TrainState& s) override;
};

// --- label_smoothing: the loss sees targets mixed with the uniform distribution ---
torch::Tensor smoothTargets(const torch::Tensor& labels, int64_t classes, double smoothing);

class LabelSmoothing : public Method {
public:
  explicit LabelSmoothing(double smoothing) : smoothing_(smoothing) {}
  bool match(Event e, const TrainState&) const override {
    return e == Event::BeforeLoss || e == Event::AfterLoss;
  }
  void apply(Event e, TrainState& s) override;

private:
  double smoothing_;
  double saved_ = 0;
};

// --- layer_freezing: ops stop training at their planned freeze step ---
class LayerFreezing : public Method {
public:
  // EVAL_END too: evaluation leaves the whole model in training mode.
  bool match(Event e, const TrainState&) const override {
    return e == Event::BatchStart || e == Event::EvalEnd;
  }
  void apply(Event e, TrainState& s) override;
  size_t frozenCount() const { return frozen_.size(); }

private:
  std::map<std::string, bool> frozen_;
};

// --- channels_last: batches enter the network already in NHWC ---
class ChannelsLast : public Method {
public:
  bool match(Event e, const TrainState&) const override { return e == Event::AfterData; }
  void apply(Event e, TrainState& s) override;
};

// --- mixup and cutmix: train on pairs of examples with mixed soft targets ---
// A Beta(alpha, alpha) draw from torch's (seeded) generator.
double sampleBeta(double alpha);
// lambda * onehot(labels) + (1 - lambda) * onehot(labels[permutation]).
torch::Tensor mixTargets(const torch::Tensor& labels, const torch::Tensor& permutation,
                         int64_t classes, double lambda);
torch::Tensor mixupBatch(const torch::Tensor& images, const torch::Tensor& permutation,
                         double lambda);

class Mixup : public Method {
public:
  explicit Mixup(double alpha) : alpha_(alpha) {}
  bool match(Event e, const TrainState&) const override { return e == Event::AfterData; }
  void apply(Event e, TrainState& s) override;
  double lastLambda() const { return lastLambda_; }

private:
  double alpha_;
  double lastLambda_ = 1;
};

// Rows [top, bottom) and columns [left, right) pasted from the partner image.
struct CutBox {
  int64_t top = 0, bottom = 0, left = 0, right = 0;
};
// A box of area (1 - lambda) * height * width centred at the given fractions,
// clipped to the image.
CutBox cutBox(int64_t height, int64_t width, double lambda, double centerY, double centerX);

class CutMix : public Method {
public:
  explicit CutMix(double alpha) : alpha_(alpha) {}
  bool match(Event e, const TrainState&) const override { return e == Event::AfterData; }
  void apply(Event e, TrainState& s) override;
  double lastLambda() const { return lastLambda_; }

private:
  double alpha_;
  double lastLambda_ = 1;
};

// --- stochastic_depth: residual branches skipped at random while training ---
double branchDropProbability(double drop, size_t index, size_t count);

class StochasticDepth : public Method {
public:
  explicit StochasticDepth(double drop) : drop_(drop) {}
  bool match(Event e, const TrainState&) const override {
    return e == Event::BeforeForward || e == Event::AfterForward;
  }
  void apply(Event e, TrainState& s) override;
  size_t droppedCount() const { return droppedCount_; } // branches skipped so far

private:
  double drop_;
  size_t droppedCount_ = 0;
};

// --- swa: an equal-weight average of the weights from `start` on ---
// average += (live - average) / (countBefore + 1)
void swaUpdate(std::vector<torch::Tensor>& average, const std::vector<torch::Tensor>& live,
               int64_t countBefore);

class Swa : public Method {
public:
  explicit Swa(int64_t startStep) : startStep_(startStep) {}
  bool match(Event e, const TrainState&) const override {
    return e == Event::AfterOptimizerStep || e == Event::EvalStart || e == Event::EvalEnd;
  }
  void apply(Event e, TrainState& s) override;
  void saveState(MethodState& out) const override;
  void loadState(const MethodState& in) override;
  int64_t averagedCount() const { return count_; }
  const std::vector<torch::Tensor>& average() const { return average_; }

  // Training samples used to re-estimate batch-norm statistics.
  static constexpr int64_t kBatchNormSamples = 8192;

private:
  void recomputeBatchNorm(TrainState& s);
  int64_t startStep_;
  int64_t count_ = 0;
  std::vector<torch::Tensor> average_; // parameters only
  std::vector<torch::Tensor> saved_;   // live parameters and buffers during evaluation
};

} // namespace fiver::runtime
