// lawa's effect: the composition matrix's probe and recipe line, and the
// method's own tests on a tiny synthetic task (each run takes milliseconds):
// an epoch starts from the mean of the last k epoch-end states, k = 1 is the
// run without lawa, and a resumed run keeps the window.
#include "methods/lawa/Hook.h"
#include "runtime/data/Dataset.h"
#include "tests/composition/Probe.h"
#include "tests/support/CompileText.h"
#include "tests/support/TinyTasks.h"

#include <gtest/gtest.h>

#include <deque>
#include <filesystem>
#include <unistd.h>

namespace fiver::composition {
namespace {

std::vector<torch::Tensor> copies(const std::vector<torch::Tensor>& tensors) {
  std::vector<torch::Tensor> out;
  for (const torch::Tensor& t : tensors)
    out.push_back(t.detach().clone());
  return out;
}

// The largest difference between `live` and the mean of `states` over the
// tensors lawa averages.
double offMean(const std::vector<torch::Tensor>& live,
               const std::deque<runtime::SavedState>& states, const std::vector<bool>& averaged) {
  double worst = 0;
  for (size_t i = 0; i < live.size(); ++i) {
    if (!averaged[i]) continue;
    torch::Tensor mean = torch::zeros_like(live[i], torch::kFloat64);
    for (const runtime::SavedState& s : states)
      mean += s[i].to(torch::kFloat64);
    mean /= static_cast<double>(states.size());
    worst = std::max(worst, (live[i].to(torch::kFloat64) - mean).abs().max().item<double>());
  }
  return worst;
}

// LAWA: at the end of every period from `start` on, the state reached is
// kept (the last k of them), and training goes on from their mean.
class LatestAverage : public Probe {
public:
  LatestAverage(int64_t k, int64_t every, int64_t start) : k_(k), every_(every), start_(start) {}
  void beforeMethods(Event e, const TrainState& s) override {
    if (!periodEnds(e, s)) return;
    states_.push_back(copies(s.model->stateTensors()));
    if (static_cast<int64_t>(states_.size()) > k_) states_.pop_front();
  }
  void afterMethods(Event e, const TrainState& s) override {
    if (!periodEnds(e, s) || states_.size() < 2) return;
    const double off =
        offMean(s.model->stateTensors(), states_, runtime::averagedStateTensors(s.model));
    expect(off < 1e-5, "after step " + std::to_string(s.step + 1) + " the weights are " +
                           std::to_string(off) + " away from the mean of the last " +
                           std::to_string(states_.size()) + " states");
  }

private:
  bool periodEnds(Event e, const TrainState& s) const {
    return e == Event::BatchEnd && s.step + 1 >= start_ && (s.step + 1) % every_ == 0;
  }
  int64_t k_, every_, start_;
  std::deque<runtime::SavedState> states_;
};

std::unique_ptr<Probe> lawaProbe(const plan::Plan& p) {
  const double start = methodArgument(p, "lawa", "start");
  return std::make_unique<LatestAverage>(
      std::llround(methodArgument(p, "lawa", "k")),
      std::llround(methodArgument(p, "lawa", "every")),
      static_cast<int64_t>(start > 1 ? start : start * static_cast<double>(p.training.totalSteps)));
}

const EffectRegistrar kEffect(MethodUnderTest{
    "lawa",
    "retrofit model_parameters dynamic domain lawa(k: 2, every: 1 steps)",
    {InputKind::Image, InputKind::Text},
    lawaProbe});

// --- the method's own tests: 4 steps an epoch on 64 synthetic images ---

std::string tinyRecipe(const std::string& lawaLine) {
  return std::string(test::kTinyImagesTask) + R"(recipe t {
  task tiny_images
  model small_cnn(width: 4)
  optimizer sgd(lr: 0.1, momentum: 0.9)
  schedule constant
  batch_size 16
  budget 4 epochs
  seed 3
)" + lawaLine +
         "}\n";
}

plan::Plan compiled(const std::string& lawaLine) {
  DiagnosticEngine diags;
  std::optional<plan::Plan> p = test::compileText(tinyRecipe(lawaLine), diags);
  if (!p) throw std::runtime_error("the test recipe does not compile");
  return *p;
}

runtime::TrainOptions quiet() {
  runtime::TrainOptions o;
  o.quiet = true;
  o.threads = 1;
  o.prefetch = false;
  return o;
}

// The state at each epoch's start, once every method has acted.
class EpochStarts : public runtime::RunObserver {
public:
  void afterMethods(Event e, const TrainState& s) override {
    if (e == Event::EpochStart) starts.push_back(copies(s.model->stateTensors()));
  }
  std::vector<runtime::SavedState> starts;
};

std::vector<torch::Tensor> finalState(const plan::Plan& p, runtime::TrainOptions o) {
  runtime::Dataset data = runtime::loadDataset(p.task, p.training.seed);
  runtime::Trainer t(p, o, &data);
  t.fit();
  return copies(t.model()->stateTensors());
}

const char* kLawaK2 = "  retrofit model_parameters dynamic domain lawa(k: 2)\n";

TEST(LawaEffect, EachEpochStartsFromTheMeanOfTheLastKEpochEnds) {
  const plan::Plan p = compiled(kLawaK2);
  ASSERT_EQ(p.training.stepsPerEpoch, 4);
  // The epoch's end as the last step left it, before lawa acts at BatchEnd.
  class LastIterates : public runtime::RunObserver {
  public:
    void beforeMethods(Event e, const TrainState& s) override {
      if (e == Event::BatchEnd && (s.step + 1) % 4 == 0)
        ends.push_back(copies(s.model->stateTensors()));
    }
    std::vector<runtime::SavedState> ends;
  } iterates;
  EpochStarts epochs;
  runtime::TrainOptions o = quiet();
  o.observers = {&iterates, &epochs};
  runtime::Dataset data = runtime::loadDataset(p.task, p.training.seed);
  runtime::Trainer trainer(p, o, &data);
  runtime::TrainResult result = trainer.fit();
  ASSERT_EQ(iterates.ends.size(), 4u);
  ASSERT_EQ(epochs.starts.size(), 4u);
  const std::vector<bool> averaged = runtime::averagedStateTensors(trainer.model());
  const auto& ends = iterates.ends;
  // Epoch 2 (0-based 1) starts from epoch 1's end: one state, nothing to average.
  EXPECT_LT(offMean(epochs.starts[1], {ends[0]}, averaged), 1e-6);
  // Epoch 3 starts from mean(end 1, end 2), not from the last iterate.
  EXPECT_LT(offMean(epochs.starts[2], {ends[0], ends[1]}, averaged), 1e-5);
  EXPECT_GT(offMean(epochs.starts[2], {ends[1]}, averaged), 1e-3);
  // Epoch 4: only the last k = 2 ends count.
  EXPECT_LT(offMean(epochs.starts[3], {ends[1], ends[2]}, averaged), 1e-5);
  EXPECT_GT(offMean(epochs.starts[3], {ends[0], ends[1], ends[2]}, averaged), 1e-4);
  // Its work is counted as averaging (no other method here averages).
  EXPECT_GT(result.trainFlopsByKind["averaging"], 0);
}

TEST(LawaEffect, WithOneStateTheRunIsTheRunWithoutIt) {
  const std::vector<torch::Tensor> without = finalState(compiled(""), quiet());
  const std::vector<torch::Tensor> withK1 =
      finalState(compiled("  retrofit model_parameters dynamic domain lawa(k: 1)\n"), quiet());
  ASSERT_EQ(withK1.size(), without.size());
  for (size_t i = 0; i < without.size(); ++i)
    EXPECT_TRUE(torch::equal(withK1[i], without[i])) << "state tensor " << i;
  // ... while k = 2 changes it.
  const std::vector<torch::Tensor> withK2 = finalState(compiled(kLawaK2), quiet());
  EXPECT_FALSE(torch::equal(withK2[0], without[0]));
}

TEST(LawaEffect, AResumedRunKeepsTheWindow) {
  namespace fs = std::filesystem;
  const plan::Plan p = compiled(kLawaK2);
  const fs::path dir = fs::temp_directory_path() / ("fiver-lawa-" + std::to_string(getpid()));
  fs::remove_all(dir);
  runtime::TrainOptions o = quiet();
  o.outDir = dir.string();
  o.resume = true;
  // Stops mid-epoch with one state kept, and after the first average.
  for (int64_t stop : {6, 13}) {
    runtime::TrainOptions part = o;
    part.maxSteps = stop;
    finalState(p, part);
  }
  const std::vector<torch::Tensor> resumed = finalState(p, o);
  const std::vector<torch::Tensor> straight = finalState(p, quiet());
  ASSERT_EQ(resumed.size(), straight.size());
  for (size_t i = 0; i < straight.size(); ++i)
    EXPECT_TRUE(torch::equal(resumed[i], straight[i])) << "state tensor " << i;
  fs::remove_all(dir);
}

} // namespace
} // namespace fiver::composition
