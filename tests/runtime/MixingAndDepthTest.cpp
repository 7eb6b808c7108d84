// mixup, cutmix and stochastic_depth: what each does to a batch or a forward
// pass, and a table test that every runtime method trains.
#include "methods/channels_last/Hook.h"
#include "methods/cutmix/Hook.h"
#include "methods/ema/Hook.h"
#include "methods/label_smoothing/Hook.h"
#include "methods/layer_freezing/Hook.h"
#include "methods/mixup/Hook.h"
#include "methods/progressive_resize/Hook.h"
#include "methods/stochastic_depth/Hook.h"
#include "methods/swa/Hook.h"
#include "runtime/data/Dataset.h"
#include "runtime/train/Trainer.h"
#include "tests/runtime/TestPlans.h"

#include <gtest/gtest.h>

#include <cmath>

namespace fiver::runtime {
namespace {

using testing::addMethod;
using testing::tinyCnnPlan;

// Ten images, image i filled with the value i and labelled i: any mix of
// images then equals the targets' expectation of the label.
void fillIndexBatch(TrainState& s) {
  s.labels = torch::arange(10, torch::kInt64);
  s.images = s.labels.to(torch::kFloat32).view({10, 1, 1, 1}).expand({10, 1, 8, 8}).contiguous();
}

torch::Tensor expectedLabel(const torch::Tensor& targets) {
  return (targets * torch::arange(10, torch::kFloat32)).sum(1);
}

struct MethodHarness {
  plan::Plan plan = tinyCnnPlan();
  PlanModel model{plan.ops};
  torch::optim::SGD optimizer{model->parameters(), torch::optim::SGDOptions(0.1)};
  TrainState state{plan, model, optimizer};
};

TEST(MixupTest, ImagesAndTargetsMixWithTheSameWeights) {
  torch::manual_seed(3);
  MethodHarness h;
  Mixup mixup(1.0);
  bool sawMix = false;
  for (int trial = 0; trial < 5; ++trial) {
    fillIndexBatch(h.state);
    mixup.apply(Event::AfterData, h.state);
    ASSERT_TRUE(h.state.targets.defined());
    EXPECT_TRUE(torch::allclose(h.state.targets.sum(1), torch::ones({10})));
    torch::Tensor pixelMean = h.state.images.mean({1, 2, 3});
    EXPECT_TRUE(torch::allclose(pixelMean, expectedLabel(h.state.targets), 1e-5, 1e-5));
    double lambda = mixup.lastLambda();
    sawMix |= lambda > 0.01 && lambda < 0.99;
  }
  EXPECT_TRUE(sawMix);
}

TEST(CutMixTest, PastedAreaMatchesTheTargetWeights) {
  torch::manual_seed(5);
  MethodHarness h;
  CutMix cutmix(1.0);
  bool sawCut = false;
  for (int trial = 0; trial < 5; ++trial) {
    fillIndexBatch(h.state);
    cutmix.apply(Event::AfterData, h.state);
    ASSERT_TRUE(h.state.targets.defined());
    torch::Tensor pixelMean = h.state.images.mean({1, 2, 3});
    EXPECT_TRUE(torch::allclose(pixelMean, expectedLabel(h.state.targets), 1e-5, 1e-5));
    sawCut |= cutmix.lastLambda() < 0.99;
  }
  EXPECT_TRUE(sawCut);

  CutBox box = cutBox(28, 28, 0.75, 0.0, 0.0); // a quarter of the area, clipped at a corner
  EXPECT_EQ(box.top, 0);
  EXPECT_EQ(box.left, 0);
  EXPECT_EQ(box.bottom, 7);
  EXPECT_EQ(box.right, 7);
}

TEST(StochasticDepthTest, DroppedBranchIsNotComputed) {
  plan::Plan p = tinyCnnPlan({.residual = true});
  PlanModel model(p.ops);
  torch::optim::SGD optimizer(model->parameters(), torch::optim::SGDOptions(0.1));
  TrainState state(p, model, optimizer);
  ASSERT_EQ(model->residualAdds(), (std::vector<int>{11}));
  torch::Tensor x = torch::randn({4, 1, 28, 28});
  auto branchGradient = [&](double drop) {
    StochasticDepth depth(drop);
    model->train();
    model->zero_grad();
    depth.apply(Event::BeforeForward, state);
    torch::Tensor out = model->forward(x);
    depth.apply(Event::AfterForward, state);
    out.sum().backward();
    return model->moduleOf("conv3")->parameters()[0].grad();
  };
  // One residual block: its drop probability is `drop` itself.
  torch::Tensor dropped = branchGradient(1.0);
  EXPECT_TRUE(!dropped.defined() || dropped.abs().sum().item<double>() == 0);
  torch::Tensor kept = branchGradient(0.0);
  ASSERT_TRUE(kept.defined());
  EXPECT_GT(kept.abs().sum().item<double>(), 0);

  // Evaluation always runs the branch.
  model->setBranchDrops({11}, {});
  model->eval();
  torch::Tensor withDropsSet = model->forward(x);
  model->setBranchDrops({}, {});
  EXPECT_TRUE(torch::equal(withDropsSet, model->forward(x)));
  EXPECT_NEAR(branchDropProbability(0.2, 1, 4), 0.1, 1e-12);
}

// Every method the runtime knows trains a few steps on a plan that gives it
// something to act on, with a finite, falling-or-flat loss.
TEST(EveryMethodTest, EachKnownMethodTrains) {
  const Dataset data = loadDataset(tinyCnnPlan().task, 1);
  for (const std::string& hook : knownHooks()) {
    if (hook == "seq_length_warmup") continue; // text tasks: SequenceTrainingTest
    SCOPED_TRACE(hook);
    plan::Plan p =
        tinyCnnPlan({.totalSteps = 6, .channelsLast = hook == "channels_last", .residual = true});
    p.resolution = {{0, 20, 20}, {3, 28, 28}};
    for (plan::Op& op : p.ops)
      if (op.name == "conv1" || op.name == "bn1") op.freezeStep = 3;
    addMethod(p, hook);
    TrainOptions options;
    options.quiet = true;
    TrainResult r = train(p, options, &data);
    ASSERT_EQ(r.steps, 6);
    for (double loss : r.stepLosses)
      EXPECT_TRUE(std::isfinite(loss));
    EXPECT_GT(r.testAccuracy, 0.0);
  }
}

} // namespace
} // namespace fiver::runtime

namespace fiver::runtime {
namespace {

TEST(SwaTest, RunningMeanIsTheEqualWeightAverage) {
  std::vector<torch::Tensor> average = {torch::tensor({1.0f})};
  for (int64_t k = 1; k < 4; ++k)
    swaUpdate(average, {torch::tensor({static_cast<float>(k + 1)})}, k);
  EXPECT_FLOAT_EQ(average[0].item<float>(), 2.5f); // mean of 1, 2, 3, 4
}

TEST(SwaTest, AveragesFromStartAndEvaluatesTheAverage) {
  plan::Plan p = tinyCnnPlan({.totalSteps = 8});
  addMethod(p, "swa", {{"start", plan::Scalar::num(0.5)}});
  Dataset data = loadDataset(p.task, p.training.seed);
  TrainOptions options;
  options.quiet = true;
  Trainer trainer(p, options, &data);
  trainer.fit();
  Swa* swa = nullptr;
  for (const auto& m : trainer.methods())
    if (auto* found = dynamic_cast<Swa*>(m.get())) swa = found;
  ASSERT_NE(swa, nullptr);
  EXPECT_EQ(swa->averagedCount(), 4); // steps 4, 5, 6 and 7

  std::vector<torch::Tensor> live;
  for (const torch::Tensor& t : trainer.model()->parameters())
    live.push_back(t.detach().clone());
  for (const torch::Tensor& t : trainer.model()->buffers())
    live.push_back(t.detach().clone());
  double difference = 0;
  for (size_t i = 0; i < swa->average().size(); ++i)
    difference += (swa->average()[i] - live[i]).abs().sum().item<double>();
  EXPECT_GT(difference, 1e-4);

  // Evaluation with the average differs from evaluation with the live
  // weights, and leaves the live weights (and statistics) in place.
  auto [accuracy, swaLoss] = trainer.evaluate();
  std::vector<torch::Tensor> after;
  for (const torch::Tensor& t : trainer.model()->parameters())
    after.push_back(t);
  for (const torch::Tensor& t : trainer.model()->buffers())
    after.push_back(t);
  for (size_t i = 0; i < live.size(); ++i)
    EXPECT_TRUE(torch::equal(after[i], live[i])) << i;
  torch::NoGradGuard noGrad;
  trainer.model()->eval();
  double liveLoss = torch::nn::functional::cross_entropy(trainer.model()->forward(data.test.images),
                                                         data.test.labels)
                        .item<double>();
  EXPECT_GT(std::abs(liveLoss - swaLoss), 1e-5);
  (void)accuracy;
}

} // namespace
} // namespace fiver::runtime
