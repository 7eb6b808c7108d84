// The op kinds of the architecture passes, executed: blur (blurpool),
// squeeze_excite, factorized convs, a conv with its batch norm folded in at
// its freeze step (layer_freezing), planned stochastic-depth rates, global
// max pooling, and mixed-precision autocast regions. Each trains a few steps
// on the synthetic task.
#include "methods/channels_last/Hook.h"
#include "methods/cutmix/Hook.h"
#include "methods/ema/Hook.h"
#include "methods/label_smoothing/Hook.h"
#include "methods/layer_freezing/Hook.h"
#include "methods/mixup/Hook.h"
#include "methods/progressive_resize/Hook.h"
#include "methods/stochastic_depth/Hook.h"
#include "methods/swa/Hook.h"
#include "runtime/train/Trainer.h"
#include "tests/runtime/TestPlans.h"

#include <gtest/gtest.h>

#include <cmath>

namespace fiver::runtime {
namespace {

using plan::Scalar;
using testing::addMethod;
using testing::opNamed;
using testing::tinyCnnPlan;

// Inserts `op` right after the op called `after`, and makes every reader of
// `after` read `op` instead: ids and inputs are renumbered.
void insertAfter(plan::Plan& p, const std::string& after, plan::Op op) {
  const int at = opNamed(p, after).id + 1;
  op.id = at;
  op.inputs = {at - 1};
  for (plan::Op& o : p.ops) {
    if (o.id >= at) ++o.id;
    for (int& in : o.inputs) {
      if (in >= at)
        ++in;
      else if (in == at - 1)
        in = at;
    }
  }
  p.ops.insert(p.ops.begin() + at, std::move(op));
}

plan::Op makeOp(std::string kind, std::string name, plan::ScalarMap attrs,
                std::vector<int64_t> shape) {
  plan::Op op;
  op.kind = std::move(kind);
  op.name = std::move(name);
  op.attrs = std::move(attrs);
  op.shape = std::move(shape);
  return op;
}

TrainResult trainFewSteps(const plan::Plan& p) {
  TrainOptions options;
  options.quiet = true;
  options.threads = 1;
  options.evalEachEpoch = false;
  return train(p, options);
}

void expectTrains(const TrainResult& r, int64_t steps) {
  ASSERT_EQ(r.steps, steps);
  for (double loss : r.stepLosses)
    EXPECT_TRUE(std::isfinite(loss));
}

TEST(ArchitectureOpsTest, BlurIsANormalizedLowPass) {
  torch::Tensor flat = torch::full({2, 3, 8, 8}, 5.0);
  torch::Tensor blurred = blur2d(flat, 2);
  EXPECT_EQ(blurred.sizes(), (std::vector<int64_t>{2, 3, 4, 4}));
  // Inside the zero padding a constant image stays constant.
  EXPECT_NEAR(blurred[0][0][1][1].item<double>(), 5.0, 1e-5);
  torch::Tensor impulse = torch::zeros({1, 1, 5, 5});
  impulse[0][0][2][2] = 16.0;
  torch::Tensor response = blur2d(impulse, 1)[0][0];
  EXPECT_NEAR(response[2][2].item<double>(), 4.0, 1e-5);
  EXPECT_NEAR(response[1][2].item<double>(), 2.0, 1e-5);
  EXPECT_NEAR(response[1][1].item<double>(), 1.0, 1e-5);
}

TEST(ArchitectureOpsTest, BlurPoolTrains) {
  plan::Plan p = tinyCnnPlan({.totalSteps = 4});
  opNamed(p, "maxpool1").attrs["stride"] = Scalar::num(1);
  opNamed(p, "maxpool1").shape = {8, 27, 27};
  insertAfter(p, "maxpool1",
              makeOp("blur", "blur1", {{"channels", Scalar::num(8)}, {"stride", Scalar::num(2)}},
                     {8, 14, 14}));
  PlanModel model(p.ops);
  EXPECT_EQ(model->forward(torch::randn({2, 1, 28, 28})).sizes(), (std::vector<int64_t>{2, 10}));
  expectTrains(trainFewSteps(p), 4);
}

TEST(ArchitectureOpsTest, SqueezeExciteGatesEachChannelAndTrains) {
  plan::Plan p = tinyCnnPlan({.totalSteps = 4});
  insertAfter(p, "bn2",
              makeOp("squeeze_excite", "squeeze_excite1",
                     {{"channels", Scalar::num(16)}, {"hidden", Scalar::num(4)}}, {16, 14, 14}));
  PlanModel model(p.ops);
  EXPECT_EQ(model->parametersOf("squeeze_excite1").size(), 4u); // two linear layers
  SqueezeExcite gate(16, 4);
  torch::Tensor x = torch::randn({3, 16, 5, 5});
  torch::Tensor ratio = gate->forward(x) / x;
  // One gate per image and channel, strictly between 0 and 1.
  torch::Tensor perChannel = ratio.flatten(2);
  EXPECT_TRUE(
      torch::allclose(std::get<0>(perChannel.min(2)), std::get<0>(perChannel.max(2)), 1e-4, 1e-4));
  EXPECT_GT(perChannel.min().item<double>(), 0.0);
  EXPECT_LT(perChannel.max().item<double>(), 1.0);
  expectTrains(trainFewSteps(p), 4);
}

TEST(ArchitectureOpsTest, FactorizedConvTrains) {
  plan::Plan p = tinyCnnPlan({.totalSteps = 4});
  plan::Op& conv2 = opNamed(p, "conv2");
  plan::Op low = conv2;
  low.name = "conv2_low";
  low.attrs["out"] = Scalar::num(4);
  low.shape = {4, 14, 14};
  conv2.attrs["in"] = Scalar::num(4);
  conv2.attrs["kernel"] = Scalar::num(1);
  conv2.attrs["padding"] = Scalar::num(0);
  insertAfter(p, "maxpool1", low);
  PlanModel model(p.ops);
  EXPECT_EQ(model->parametersOf("conv2_low").at(0).sizes(), (std::vector<int64_t>{4, 8, 3, 3}));
  EXPECT_EQ(model->parametersOf("conv2").at(0).sizes(), (std::vector<int64_t>{16, 4, 1, 1}));
  expectTrains(trainFewSteps(p), 4);
}

TEST(ArchitectureOpsTest, FoldedConvComputesWhatConvAndFrozenNormDid) {
  plan::Plan p = tinyCnnPlan({.channelsLast = true});
  opNamed(p, "conv1").attrs["fold_bn"] = Scalar::str("bn1");
  opNamed(p, "bn1").attrs["folded_into"] = Scalar::str("conv1");
  PlanModel model(p.ops);
  // Statistics and an affine map far from the identity.
  torch::manual_seed(1);
  model->train();
  for (int i = 0; i < 3; ++i)
    model->forward(torch::randn({16, 1, 28, 28}) * 3 + 1);
  {
    torch::NoGradGuard noGrad;
    for (torch::Tensor& t : model->parametersOf("bn1"))
      t.uniform_(0.5, 1.5);
  }
  model->eval();
  torch::Tensor x = torch::randn({4, 1, 28, 28});
  torch::Tensor before = model->forward(x);
  model->foldBatchNorm("conv1");
  EXPECT_TRUE(model->isFolded("conv1"));
  torch::Tensor after = model->forward(x);
  EXPECT_TRUE(torch::allclose(before, after, 1e-4, 1e-4));
  EXPECT_THROW(model->foldBatchNorm("bn2"), std::runtime_error);
}

TEST(ArchitectureOpsTest, LayerFreezingFoldsAtTheFreezeStep) {
  plan::Plan p = tinyCnnPlan({.totalSteps = 6});
  for (const char* name : {"conv1", "bn1"})
    opNamed(p, name).freezeStep = 3;
  opNamed(p, "conv1").attrs["fold_bn"] = Scalar::str("bn1");
  opNamed(p, "bn1").attrs["folded_into"] = Scalar::str("conv1");
  addMethod(p, "layer_freezing");
  TrainOptions options;
  options.quiet = true;
  options.threads = 1;
  options.evalEachEpoch = false;
  Trainer trainer(p, options);
  EXPECT_FALSE(trainer.model()->isFolded("conv1"));
  TrainResult r = trainer.fit();
  expectTrains(r, 6);
  EXPECT_TRUE(trainer.model()->isFolded("conv1"));
}

TEST(ArchitectureOpsTest, PlannedDropRatesDriveStochasticDepth) {
  plan::Plan p = tinyCnnPlan({.residual = true});
  opNamed(p, "add1").attrs["drop"] = Scalar::num(1.0); // always skipped
  PlanModel model(p.ops);
  torch::optim::SGD optimizer(model->parameters(), torch::optim::SGDOptions(0.1));
  TrainState state(p, model, optimizer);
  StochasticDepth depth(0.0); // the method's own rate would never drop
  for (int i = 0; i < 4; ++i) {
    depth.apply(Event::BeforeForward, state);
    depth.apply(Event::AfterForward, state);
  }
  EXPECT_EQ(depth.droppedCount(), 4u);
}

// The max over H and W, kept as [B, C, 1, 1], in either layout; backward
// sends each image's and channel's gradient to its maximum only.
TEST(ArchitectureOpsTest, GlobalMaxPoolTakesTheSpatialMaxAndRoutesGradientsToIt) {
  std::vector<plan::Op> ops = {
      testing::makeOp(0, "input", "input", {}, {}, {3, 5, 4}),
      testing::makeOp(1, "global_maxpool", "global_maxpool1", {0}, {}, {3, 1, 1})};
  for (bool channelsLast : {false, true}) {
    ops[1].memoryFormat = channelsLast ? "channels_last" : "contiguous";
    PlanModel model(ops);
    torch::manual_seed(3);
    torch::Tensor x = torch::randn({2, 3, 5, 4});
    if (channelsLast) x = x.contiguous(torch::MemoryFormat::ChannelsLast);
    x.requires_grad_();
    torch::Tensor y = model->forward(x);
    ASSERT_EQ(y.sizes(), (std::vector<int64_t>{2, 3, 1, 1})) << channelsLast;
    EXPECT_TRUE(torch::equal(y, torch::amax(x.detach(), {2, 3}, /*keepdim=*/true))) << channelsLast;
    torch::Tensor weights = torch::arange(1, 7, torch::kFloat).view({2, 3, 1, 1});
    (y * weights).sum().backward();
    const torch::Tensor atMax = (x.detach() == y.detach()).to(torch::kFloat);
    EXPECT_EQ(atMax.sum().item<int64_t>(), 6) << channelsLast; // one maximum per image and channel
    EXPECT_TRUE(torch::equal(x.grad(), atMax * weights)) << channelsLast;
    // The gradient keeps the layout, so the layers before need no conversion.
    EXPECT_EQ(x.grad().is_contiguous(torch::MemoryFormat::ChannelsLast), channelsLast);
  }
  plan::Plan p =
      tinyCnnPlan({.totalSteps = 4, .channelsLast = true, .globalPool = "global_maxpool"});
  PlanModel model(p.ops);
  EXPECT_EQ(model->forward(torch::randn({2, 1, 28, 28})).sizes(), (std::vector<int64_t>{2, 10}));
  expectTrains(trainFewSteps(p), 4);
}

// bf16 regions on the CPU: LibTorch 1.13 has CPU autocast for bf16.
TEST(ArchitectureOpsTest, MixedPrecisionRunsConvolutionsInBf16) {
  plan::Plan p = tinyCnnPlan({.totalSteps = 4});
  for (plan::Op& op : p.ops)
    if (op.kind != "input" && op.kind != "bn") op.dtype = "bf16";
  PlanModel model(p.ops);
  torch::Tensor out = model->forward(torch::randn({2, 1, 28, 28}));
  EXPECT_EQ(out.scalar_type(), torch::kFloat32); // the loss reads fp32
  EXPECT_TRUE(model->precisionNote().empty()) << model->precisionNote();
  for (const torch::Tensor& w : model->parameters())
    EXPECT_EQ(w.scalar_type(), torch::kFloat32); // master weights stay fp32

  // Same weights, fp32 against bf16 convolutions: close, but rounded.
  plan::Plan headless = tinyCnnPlan({.headless = true});
  torch::manual_seed(2);
  PlanModel full(headless.ops);
  for (plan::Op& op : headless.ops)
    if (op.kind == "conv") op.dtype = "bf16";
  torch::manual_seed(2);
  PlanModel mixed(headless.ops);
  torch::Tensor x = torch::randn({2, 1, 28, 28});
  const double difference =
      ((mixed->forward(x) - full->forward(x)).abs().max() / full->forward(x).abs().max())
          .item<double>();
  EXPECT_GT(difference, 0.0);
  EXPECT_LT(difference, 0.05);
  expectTrains(trainFewSteps(p), 4);
}

TEST(ArchitectureOpsTest, Fp16WithoutCpuAutocastSaysItRunsFp32) {
  plan::Plan p = tinyCnnPlan({.totalSteps = 2});
  for (plan::Op& op : p.ops)
    if (op.kind == "conv") op.dtype = "fp16";
  PlanModel model(p.ops);
  model->forward(torch::randn({2, 1, 28, 28}));
  EXPECT_NE(model->precisionNote().find("run in fp32"), std::string::npos);
  expectTrains(trainFewSteps(p), 2);
}

} // namespace
} // namespace fiver::runtime
