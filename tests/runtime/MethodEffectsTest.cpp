// One test per runtime method: each must change what training does, in the
// way its method card says.
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
#include "runtime/train/Loss.h"
#include "runtime/train/Trainer.h"
#include "tests/runtime/TestPlans.h"

#include <gtest/gtest.h>

namespace fiver::runtime {
namespace {

using testing::addMethod;
using testing::opNamed;
using testing::tinyCnnPlan;
using testing::TinyPlanOptions;

TrainOptions quietOptions(int64_t maxSteps = 0) {
  TrainOptions o;
  o.quiet = true;
  o.maxSteps = maxSteps;
  return o;
}

template <typename T> T* findMethod(Trainer& trainer) {
  for (const auto& m : trainer.methods())
    if (auto* found = dynamic_cast<T*>(m.get())) return found;
  return nullptr;
}

// --- progressive_resize ---

TEST(ProgressiveResizeTest, ModelSeesSmallImagesEarlyAndFullSizeAtTheEnd) {
  plan::Plan p = tinyCnnPlan({.totalSteps = 8});
  p.resolution = {{0, 16, 16}, {3, 20, 20}, {6, 28, 28}};
  addMethod(p, "progressive_resize");
  Dataset data = loadDataset(p.task, p.training.seed);

  Trainer early(p, quietOptions(2), &data);
  early.fit();
  EXPECT_EQ(early.model()->lastInputSize, (std::vector<int64_t>{32, 1, 16, 16}));

  Trainer middle(p, quietOptions(5), &data);
  middle.fit();
  EXPECT_EQ(middle.model()->lastInputSize, (std::vector<int64_t>{32, 1, 20, 20}));

  Trainer full(p, quietOptions(), &data);
  full.fit();
  EXPECT_EQ(full.model()->lastInputSize, (std::vector<int64_t>{32, 1, 28, 28}));
}

TEST(ProgressiveResizeTest, StageLookupAndBilinearResize) {
  plan::Plan p = tinyCnnPlan();
  p.resolution = {{0, 16, 16}, {10, 28, 28}};
  EXPECT_EQ(resolutionAt(p, 0), std::make_pair(int64_t{16}, int64_t{16}));
  EXPECT_EQ(resolutionAt(p, 9), std::make_pair(int64_t{16}, int64_t{16}));
  EXPECT_EQ(resolutionAt(p, 10), std::make_pair(int64_t{28}, int64_t{28}));
  p.resolution.clear();
  EXPECT_EQ(resolutionAt(p, 0), std::make_pair(int64_t{28}, int64_t{28}));

  // A constant image stays constant at any size; a resized batch keeps N and C.
  torch::Tensor flat = torch::full({4, 1, 28, 28}, 0.25f);
  torch::Tensor small = resizeBatch(flat, 14, 14);
  EXPECT_EQ(small.sizes(), (std::vector<int64_t>{4, 1, 14, 14}));
  EXPECT_TRUE(torch::allclose(small, torch::full_like(small, 0.25f)));
}

// --- label_smoothing ---

TEST(LabelSmoothingTest, ConfidentCorrectPredictionCostsMore) {
  plan::Plan p = tinyCnnPlan();
  addMethod(p, "label_smoothing", {{"smoothing", plan::Scalar::num(0.1)}});
  Dataset data = loadDataset(p.task, p.training.seed);
  Trainer trainer(p, quietOptions(), &data);
  LabelSmoothing* smoothing = findMethod<LabelSmoothing>(trainer);
  ASSERT_NE(smoothing, nullptr);

  TrainState state = trainer.state();
  state.labels = torch::tensor({3, 7}, torch::kInt64);
  state.output = torch::zeros({2, 10});
  state.output.index_put_({0, 3}, 12.0);
  state.output.index_put_({1, 7}, 12.0);

  double plain = trainingLoss(state).item<double>();
  smoothing->apply(Event::BeforeLoss, state);
  double smoothed = trainingLoss(state).item<double>();
  smoothing->apply(Event::AfterLoss, state);
  double restored = trainingLoss(state).item<double>();

  EXPECT_LT(plain, 1e-3);
  EXPECT_GT(smoothed, plain + 0.5); // 0.1 * 9/10 of the mass sits ~12 nats away
  EXPECT_DOUBLE_EQ(restored, plain);

  // The same loss as cross-entropy against explicitly smoothed targets.
  torch::Tensor targets = smoothTargets(state.labels, 10, 0.1);
  double explicitLoss =
      -(targets * torch::log_softmax(state.output, 1)).sum(1).mean().item<double>();
  EXPECT_NEAR(smoothed, explicitLoss, 1e-5);
}

// --- ema ---

TEST(EmaTest, AveragedWeightsDifferAndAreTheOnesEvaluated) {
  plan::Plan p = tinyCnnPlan({.totalSteps = 12});
  addMethod(p, "ema", {{"half_life", plan::Scalar::num(4)}});
  Dataset data = loadDataset(p.task, p.training.seed);
  Trainer trainer(p, quietOptions(), &data);
  trainer.fit();
  Ema* ema = findMethod<Ema>(trainer);
  ASSERT_NE(ema, nullptr);
  EXPECT_NEAR(std::pow(ema->decay(), 4), 0.5, 1e-12);

  PlanModel& model = trainer.model();
  std::vector<torch::Tensor> live;
  for (const torch::Tensor& t : model->parameters())
    live.push_back(t.detach().clone());
  for (const torch::Tensor& t : model->buffers())
    live.push_back(t.detach().clone());
  ASSERT_EQ(live.size(), ema->shadow().size());
  double difference = 0;
  for (size_t i = 0; i < live.size(); ++i)
    if (live[i].is_floating_point())
      difference += (live[i] - ema->shadow()[i]).abs().sum().item<double>();
  EXPECT_GT(difference, 1e-3);

  // evaluate() must report the loss of the shadow weights, and put the live
  // weights back afterwards.
  auto [emaAccuracy, emaLoss] = trainer.evaluate();
  std::vector<torch::Tensor> state;
  for (const torch::Tensor& t : model->parameters())
    state.push_back(t);
  for (const torch::Tensor& t : model->buffers())
    state.push_back(t);
  for (size_t i = 0; i < live.size(); ++i)
    EXPECT_TRUE(torch::equal(state[i], live[i])) << "live weight " << i << " not restored";

  auto evaluateWith = [&](const std::vector<torch::Tensor>& weights) {
    torch::NoGradGuard noGrad;
    for (size_t i = 0; i < state.size(); ++i)
      state[i].copy_(weights[i]);
    model->eval();
    torch::Tensor out = model->forward(data.test.images);
    model->train();
    return torch::nn::functional::cross_entropy(out, data.test.labels).item<double>();
  };
  std::vector<torch::Tensor> shadow = ema->shadow();
  for (torch::Tensor& t : shadow)
    t = t.clone();
  EXPECT_NEAR(evaluateWith(shadow), emaLoss, 1e-4);
  EXPECT_GT(std::abs(evaluateWith(live) - emaLoss), 1e-4);
  (void)emaAccuracy;
}

// --- layer_freezing ---

TEST(LayerFreezingTest, FrozenWeightsStopChanging) {
  plan::Plan p = tinyCnnPlan({.totalSteps = 10});
  opNamed(p, "conv1").freezeStep = 4;
  opNamed(p, "bn1").freezeStep = 4;
  addMethod(p, "layer_freezing");
  Dataset data = loadDataset(p.task, p.training.seed);

  auto snapshot = [](Trainer& t) {
    std::map<std::string, torch::Tensor> out;
    for (const auto& item : t.model()->named_parameters())
      out[item.key()] = item.value().detach().clone();
    for (const auto& item : t.model()->named_buffers())
      out[item.key()] = item.value().detach().clone();
    return out;
  };
  // Steps 0..3 train everything; from step 4 conv1 and bn1 are frozen.
  Trainer atFreeze(p, quietOptions(4), &data);
  atFreeze.fit();
  Trainer atEnd(p, quietOptions(), &data);
  atEnd.fit();
  auto before = snapshot(atFreeze), after = snapshot(atEnd);

  for (const char* frozen :
       {"conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var"})
    EXPECT_TRUE(torch::allclose(before.at(frozen), after.at(frozen), 0, 1e-6)) << frozen;
  for (const char* trained : {"conv2.weight", "bn2.weight", "linear1.weight", "bn2.running_mean"})
    EXPECT_FALSE(torch::allclose(before.at(trained), after.at(trained), 0, 1e-4)) << trained;

  EXPECT_FALSE(atEnd.model()->moduleOf("conv1")->parameters()[0].requires_grad());
  EXPECT_TRUE(atEnd.model()->moduleOf("conv2")->parameters()[0].requires_grad());
  EXPECT_FALSE(atEnd.model()->moduleOf("bn1")->is_training());
}

// --- channels_last ---

TEST(ChannelsLastTest, ConvolutionsRunChannelsLastIncludingTheStem) {
  plan::Plan p = tinyCnnPlan({.channelsLast = true, .headless = true});
  addMethod(p, "channels_last");
  PlanModel model(p.ops);
  // The 1-input-channel stem must be re-strided, not just marked contiguous.
  torch::Tensor stem = model->moduleOf("conv1")->parameters()[0];
  EXPECT_EQ(stem.stride(1), 1);
  EXPECT_TRUE(
      model->moduleOf("conv2")->parameters()[0].is_contiguous(torch::MemoryFormat::ChannelsLast));

  torch::Tensor out = model->forward(torch::randn({4, 1, 28, 28}));
  EXPECT_TRUE(out.is_contiguous(torch::MemoryFormat::ChannelsLast));
  EXPECT_FALSE(out.is_contiguous());
}

TEST(ChannelsLastTest, HookMakesBatchesChannelsLast) {
  plan::Plan p = tinyCnnPlan({.channelsLast = true});
  addMethod(p, "channels_last");
  Dataset data = loadDataset(p.task, p.training.seed);
  Trainer trainer(p, quietOptions(), &data);
  ChannelsLast* hook = findMethod<ChannelsLast>(trainer);
  ASSERT_NE(hook, nullptr);
  TrainState state = trainer.state();
  state.images = torch::randn({4, 3, 8, 8});
  ASSERT_FALSE(state.images.is_contiguous(torch::MemoryFormat::ChannelsLast));
  hook->apply(Event::AfterData, state);
  EXPECT_TRUE(state.images.is_contiguous(torch::MemoryFormat::ChannelsLast));
  EXPECT_EQ(state.images.stride(1), 1);
}

} // namespace
} // namespace fiver::runtime
