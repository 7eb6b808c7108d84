// activation_checkpointing's effect: the composition matrix's probe and
// recipe line, and the method's own tests on tiny synthetic tasks (each run
// takes milliseconds): training with recomputed segments computes the same
// weights and statistics as training without, and a step holds fewer
// activations.
#include "methods/activation_checkpointing/Pass.h"
#include "runtime/data/Dataset.h"
#include "runtime/metrics/TensorMemory.h"
#include "tests/composition/Probe.h"
#include "tests/composition/ProbeSupport.h"
#include "tests/support/CompileText.h"
#include "tests/support/TinyTasks.h"

#include <gtest/gtest.h>

#include <set>

namespace fiver::composition {
namespace {

// The model's output reaches backward through recomputed segments, and a
// step updates each batch norm's running statistics once, not once more in
// the recomputation.
class RecomputedSegmentsProbe : public Probe {
public:
  void beforeMethods(Event e, const TrainState& s) override {
    if (e != Event::BatchStart) return;
    tracked_ = batchesTracked(s);
  }
  void afterMethods(Event e, const TrainState& s) override {
    if (e == Event::AfterForward && s.output.requires_grad())
      expect(autogradNodesNamed(s.output, "RecomputeSegmentBackward") > 0,
             "step " + std::to_string(s.step) + ": no segment of the forward pass recomputes");
    if (e != Event::BatchEnd) return;
    const std::vector<int64_t> now = batchesTracked(s);
    for (size_t i = 0; i < now.size() && i < tracked_.size(); ++i)
      expect(now[i] - tracked_[i] <= 1, "step " + std::to_string(s.step) +
                                            ": a batch norm counted " +
                                            std::to_string(now[i] - tracked_[i]) + " batches");
  }

private:
  static std::vector<int64_t> batchesTracked(const TrainState& s) {
    std::vector<int64_t> counts;
    for (const auto& buffer : s.model->named_buffers())
      if (buffer.key().find("num_batches_tracked") != std::string::npos)
        counts.push_back(buffer.value().item<int64_t>());
    return counts;
  }
  std::vector<int64_t> tracked_;
};

const EffectRegistrar kEffect(MethodUnderTest{
    "activation_checkpointing",
    "remove derived_data static domain activation_checkpointing(segments: 2)",
    {InputKind::Image, InputKind::Text},
    [](const plan::Plan&) -> std::unique_ptr<Probe> {
      return std::make_unique<RecomputedSegmentsProbe>();
    }});

// --- the method's own tests ---

struct TinyTask {
  const char* text;
  const char* name;
};
const TinyTask kImages{test::kTinyImagesTask, "tiny_images"};
const TinyTask kText{test::kTinyTextTask, "tiny_text"};

std::string recipe(const TinyTask& task, const std::string& model, const std::string& lines) {
  return std::string(task.text) + "recipe t {\n  task " + task.name + "\n  model " + model +
         "\n  optimizer sgd(lr: 0.1, momentum: 0.9)\n  schedule constant\n"
         "  batch_size 16\n  budget 6 steps\n  seed 5\n" +
         lines + "}\n";
}

plan::Plan compiled(const std::string& text) {
  DiagnosticEngine diags;
  std::optional<plan::Plan> p = test::compileText(text, diags);
  if (!p) throw std::runtime_error("the test recipe does not compile");
  return *p;
}

std::vector<torch::Tensor> trainedState(const plan::Plan& p) {
  runtime::TrainOptions o;
  o.quiet = true;
  o.threads = 1;
  o.prefetch = false;
  runtime::Dataset data = runtime::loadDataset(p.task, p.training.seed);
  runtime::Trainer t(p, o, &data);
  t.fit();
  std::vector<torch::Tensor> state;
  for (const torch::Tensor& s : t.model()->stateTensors())
    state.push_back(s.detach().clone());
  return state;
}

std::set<int64_t> segmentsOf(const plan::Plan& p) {
  std::set<int64_t> segments;
  for (const plan::Op& op : p.ops)
    if (op.attrs.count("recompute"))
      segments.insert(static_cast<int64_t>(plan::getNumber(op.attrs, "recompute", 0)));
  return segments;
}

void expectSameTraining(const TinyTask& task, const std::string& model,
                        const std::string& others = "") {
  const std::string line =
      "  remove derived_data static domain activation_checkpointing(segments: 3)\n";
  const plan::Plan plain = compiled(recipe(task, model, others));
  const plan::Plan checkpointed = compiled(recipe(task, model, others + line));
  EXPECT_EQ(segmentsOf(checkpointed), (std::set<int64_t>{1, 2, 3})) << model;
  const std::vector<torch::Tensor> a = trainedState(plain), b = trainedState(checkpointed);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i)
    EXPECT_TRUE(torch::allclose(a[i].to(torch::kFloat64), b[i].to(torch::kFloat64), 1e-5, 1e-6))
        << model << ": state tensor " << i << " differs by "
        << (a[i].to(torch::kFloat64) - b[i].to(torch::kFloat64)).abs().max().item<double>();
}

TEST(ActivationCheckpointingEffect, ResidualConvNetTrainsToTheSameWeightsAndStatistics) {
  expectSameTraining(kImages, "resnet_tiny(width: 8, blocks: 2)");
  expectSameTraining(kImages, "fmnist_cnn(width: 4)");
}

// Stochastic depth draws its drops before the forward pass and clears them
// after it; the recomputation in backward must drop the same branches.
TEST(ActivationCheckpointingEffect, DroppedBranchesStayDroppedInTheRecomputation) {
  expectSameTraining(kImages, "resnet_tiny(width: 8, blocks: 2)",
                     "  remove architecture dynamic domain stochastic_depth(drop: 0.5)\n");
}

TEST(ActivationCheckpointingEffect, TransformerTrainsToTheSameWeights) {
  expectSameTraining(kText, "tiny_gpt(dim: 16, blocks: 2, heads: 2)");
}

TEST(ActivationCheckpointingEffect, AStepKeepsFewerActivations) {
  runtime::countTensorMemory();
  auto activations = [](const std::string& lines) {
    const plan::Plan p = compiled(recipe(kImages, "resnet_tiny(width: 16, blocks: 3)", lines));
    runtime::resetLargestStepMemory();
    trainedState(p);
    return runtime::largestStepMemory().activationBytes();
  };
  const int64_t plain = activations("");
  const int64_t checkpointed =
      activations("  remove derived_data static domain activation_checkpointing(segments: 3)\n");
  EXPECT_GT(plain, 0);
  EXPECT_LT(checkpointed, plain * 3 / 4)
      << "plain " << plain << " B, checkpointed " << checkpointed << " B";
}

TEST(ActivationCheckpointingPass, BalancesPiecesIntoRunsOfAboutEqualSize) {
  using passes::balancedRuns;
  EXPECT_EQ(balancedRuns({1, 1, 1, 1}, 2), (std::vector<size_t>{0, 2}));
  EXPECT_EQ(balancedRuns({4, 1, 1, 1, 1}, 2), (std::vector<size_t>{0, 1}));
  EXPECT_EQ(balancedRuns({1, 1}, 5), (std::vector<size_t>{0, 1}));
  EXPECT_EQ(balancedRuns({3}, 1), (std::vector<size_t>{0}));
  EXPECT_TRUE(balancedRuns({}, 3).empty());
}

} // namespace
} // namespace fiver::composition
