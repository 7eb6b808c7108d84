// Effect tests for the algorithm-side methods: each fails if its method did
// nothing (closed-form checks of the pure functions, then a short run).
#include "methods/cyclic_lr/Hook.h"
#include "methods/gradient_centralization/Hook.h"
#include "methods/gradient_clipping/Hook.h"
#include "methods/gradual_magnitude_pruning/Hook.h"
#include "methods/kaiming_init/Hook.h"
#include "methods/lookahead/Hook.h"
#include "methods/orthogonal_init/Hook.h"
#include "methods/sam/Hook.h"
#include "methods/warmup/Hook.h"
#include "runtime/data/Dataset.h"
#include "runtime/methods/OptimizedParameters.h"
#include "runtime/optim/Optimizer.h"
#include "runtime/train/Trainer.h"
#include "tests/runtime/TestPlans.h"

#include <gtest/gtest.h>

#include <cmath>

namespace fiver::runtime {
namespace {

using plan::Scalar;
using testing::addMethod;
using testing::tinyCnnPlan;

TrainOptions quietOptions(int64_t maxSteps = 0) {
  TrainOptions o;
  o.quiet = true;
  o.maxSteps = maxSteps;
  o.threads = 1;
  return o;
}

template <typename T> T* findMethod(Trainer& trainer) {
  for (const auto& m : trainer.methods())
    if (auto* found = dynamic_cast<T*>(m.get())) return found;
  return nullptr;
}

std::vector<torch::Tensor> snapshot(PlanModel& model) {
  std::vector<torch::Tensor> copies;
  for (const torch::Tensor& p : model->parameters())
    copies.push_back(p.detach().clone());
  return copies;
}

// L2 distance of the model's parameters from a snapshot.
double drift(PlanModel& model, const std::vector<torch::Tensor>& before) {
  std::vector<torch::Tensor> now = model->parameters();
  double squares = 0;
  for (size_t i = 0; i < now.size(); ++i)
    squares += (now[i] - before[i]).pow(2).sum().item<double>();
  return std::sqrt(squares);
}

// Parameter drift of a short run of `p` from its initial weights.
double runDrift(const plan::Plan& p, const Dataset& data, int64_t steps) {
  Trainer trainer(p, quietOptions(steps), &data);
  const std::vector<torch::Tensor> before = snapshot(trainer.model());
  trainer.fit();
  return drift(trainer.model(), before);
}

// --- gradient_clipping ---

TEST(GradientClippingTest, NormModeRescalesToMaxNorm) {
  torch::Tensor a = torch::zeros({2}, torch::requires_grad());
  torch::Tensor b = torch::zeros({1}, torch::requires_grad());
  a.mutable_grad() = torch::tensor({3.0f, 0.0f});
  b.mutable_grad() = torch::tensor({4.0f});
  EXPECT_NEAR(clipGradientNorm({a, b}, 1.0), 5.0, 1e-6);
  EXPECT_NEAR(a.grad()[0].item<double>(), 0.6, 1e-5);
  EXPECT_NEAR(b.grad()[0].item<double>(), 0.8, 1e-5);
  // Below the bound: untouched.
  clipGradientNorm({a, b}, 10.0);
  EXPECT_NEAR(b.grad()[0].item<double>(), 0.8, 1e-5);
}

TEST(GradientClippingTest, AdaptiveModeBoundsEachUnitByItsWeightNorm) {
  torch::Tensor w = torch::tensor({{3.0f, 4.0f}, {0.3f, 0.4f}}).requires_grad_();
  w.mutable_grad() = torch::tensor({{100.0f, 0.0f}, {0.001f, 0.0f}});
  clipGradientsAdaptive({w}, 0.1);
  // Row 0: weight norm 5, limit 0.5; row 1: norm 0.5, limit 0.05 > 0.001.
  EXPECT_NEAR(w.grad()[0][0].item<double>(), 0.5, 1e-4);
  EXPECT_NEAR(w.grad()[1][0].item<double>(), 0.001, 1e-6);
}

TEST(GradientClippingTest, TinyBoundsSlowTrainingDown) {
  plan::Plan p = tinyCnnPlan({.totalSteps = 4});
  Dataset data = loadDataset(p.task, p.training.seed);
  const double plain = runDrift(p, data, 4);
  plan::Plan normClipped = p;
  addMethod(normClipped, "gradient_clipping", {{"max_norm", Scalar::num(1e-3)}});
  plan::Plan adaptive = p;
  addMethod(adaptive, "gradient_clipping",
            {{"mode", Scalar::str("adaptive")}, {"clip_ratio", Scalar::num(1e-4)}});
  EXPECT_LT(runDrift(normClipped, data, 4), 0.1 * plain);
  EXPECT_LT(runDrift(adaptive, data, 4), 0.1 * plain);
}

TEST(GradientClippingTest, UnknownModeIsRejected) {
  EXPECT_THROW(GradientClipping("sideways", 1, 0.01), std::runtime_error);
}

// --- gradient_centralization ---

TEST(GradientCentralizationTest, GradientsGetZeroMeanPerOutputUnit) {
  torch::Tensor conv = torch::zeros({2, 1, 2, 2}, torch::requires_grad());
  conv.mutable_grad() = torch::arange(8, torch::kFloat).reshape({2, 1, 2, 2});
  torch::Tensor linear = torch::zeros({2, 2}, torch::requires_grad());
  linear.mutable_grad() = torch::tensor({{1.0f, 3.0f}, {2.0f, 2.0f}});
  centralizeGradients({conv, linear}, /*includeLinear=*/false);
  EXPECT_NEAR(conv.grad()[0].mean().item<double>(), 0, 1e-6);
  EXPECT_NEAR(conv.grad()[1][0][0][0].item<double>(), 4 - 5.5, 1e-6);
  EXPECT_EQ(linear.grad()[0][0].item<double>(), 1.0); // linear excluded
  centralizeGradients({linear}, true);
  EXPECT_NEAR(linear.grad()[0][0].item<double>(), -1.0, 1e-6);
}

// Centralized updates (without weight decay) leave every conv unit's mean weight
// where it started.
TEST(GradientCentralizationTest, ConvUnitMeansStayFixedDuringTraining) {
  plan::Plan p = tinyCnnPlan({.totalSteps = 5});
  p.optimizer.params["weight_decay"] = Scalar::num(0);
  Dataset data = loadDataset(p.task, p.training.seed);
  auto unitMeanShift = [&](const plan::Plan& plan) {
    Trainer trainer(plan, quietOptions(), &data);
    torch::Tensor before = trainer.model()->parametersOf("conv2")[0].detach().clone();
    trainer.fit();
    torch::Tensor after = trainer.model()->parametersOf("conv2")[0].detach();
    return (after - before).mean({1, 2, 3}).abs().max().item<double>();
  };
  plan::Plan centralized = p;
  addMethod(centralized, "gradient_centralization");
  EXPECT_GT(unitMeanShift(p), 1e-4);
  EXPECT_LT(unitMeanShift(centralized), 1e-6);
}

// --- lookahead ---

TEST(LookaheadTest, SyncMovesSlowTowardsFastAndResetsFast) {
  std::vector<torch::Tensor> slow = {torch::tensor({0.0f, 2.0f})};
  std::vector<torch::Tensor> fast = {torch::tensor({4.0f, 0.0f})};
  lookaheadSync(slow, fast, 0.25);
  EXPECT_NEAR(slow[0][0].item<double>(), 1.0, 1e-6);
  EXPECT_NEAR(slow[0][1].item<double>(), 1.5, 1e-6);
  EXPECT_TRUE(torch::equal(fast[0], slow[0]));
}

TEST(LookaheadTest, SyncsEveryKStepsAndAlphaZeroPinsTheWeights) {
  plan::Plan p = tinyCnnPlan({.totalSteps = 10});
  Dataset data = loadDataset(p.task, p.training.seed);
  plan::Plan everyFive = p;
  addMethod(everyFive, "lookahead", {{"k", Scalar::num(5)}, {"alpha", Scalar::num(0.5)}});
  Trainer trainer(everyFive, quietOptions(), &data);
  trainer.fit();
  ASSERT_NE(findMethod<Lookahead>(trainer), nullptr);
  EXPECT_EQ(findMethod<Lookahead>(trainer)->syncCount(), 2);

  // alpha 0, k 1: the slow weights never move, so neither do the fast ones.
  plan::Plan pinned = p;
  addMethod(pinned, "lookahead", {{"k", Scalar::num(1)}, {"alpha", Scalar::num(0)}});
  EXPECT_GT(runDrift(p, data, 3), 1e-3);
  EXPECT_EQ(runDrift(pinned, data, 3), 0);
}

// --- warmup ---

TEST(WarmupTest, FactorRampsFromFromToOne) {
  EXPECT_NEAR(warmupFactor(0, 4, 0, "linear"), 0.25, 1e-12);
  EXPECT_NEAR(warmupFactor(3, 4, 0, "linear"), 1.0, 1e-12);
  EXPECT_NEAR(warmupFactor(1, 4, 0.2, "linear"), 0.2 + 0.8 * 0.5, 1e-12);
  EXPECT_NEAR(warmupFactor(1, 4, 0, "cosine"), 0.5, 1e-12);
  EXPECT_EQ(warmupFactor(100, 4, 0, "linear"), 1.0);
  EXPECT_THROW(Warmup(4, 0, "zigzag"), std::runtime_error);
}

TEST(WarmupTest, ScalesTheScheduledRateDuringTheRamp) {
  plan::Plan p = tinyCnnPlan({.totalSteps = 20});
  addMethod(p, "warmup", {{"length", Scalar::num(10)}, {"from", Scalar::num(0)}});
  Dataset data = loadDataset(p.task, p.training.seed);
  Trainer trainer(p, quietOptions(2), &data); // last step run: step 1
  trainer.fit();
  const double lr = trainer.state().optimizer.param_groups()[0].options().get_lr();
  EXPECT_NEAR(lr, 0.05 * 0.2, 1e-12);
}

// --- cyclic_lr ---

TEST(CyclicLrTest, ClosedFormTriangles) {
  // peak 1, base 0.1, cycle 4: 0.1, 0.55, 1, 0.55, 0.1, ...
  EXPECT_NEAR(cyclicLearningRate(0, 1, 10, 4, "triangular"), 0.1, 1e-12);
  EXPECT_NEAR(cyclicLearningRate(1, 1, 10, 4, "triangular"), 0.55, 1e-12);
  EXPECT_NEAR(cyclicLearningRate(2, 1, 10, 4, "triangular"), 1.0, 1e-12);
  EXPECT_NEAR(cyclicLearningRate(6, 1, 10, 4, "triangular"), 1.0, 1e-12);
  EXPECT_NEAR(cyclicLearningRate(6, 1, 10, 4, "triangular2"), 0.1 + 0.9 * 0.5, 1e-12);
  EXPECT_NEAR(cyclicLearningRate(6, 1, 10, 4, "exp_range"), 0.1 + 0.9 * std::pow(0.5, 1.5), 1e-12);
  EXPECT_THROW(CyclicLr(1, 10, 4, "square"), std::runtime_error);
}

TEST(CyclicLrTest, ReplacesTheScheduledRate) {
  plan::Plan p = tinyCnnPlan({.totalSteps = 20});
  addMethod(p, "cyclic_lr", {{"cycle", Scalar::num(4)}, {"div_factor", Scalar::num(10)}});
  Dataset data = loadDataset(p.task, p.training.seed);
  Trainer trainer(p, quietOptions(2), &data); // last step run: step 1
  trainer.fit();
  const double lr = trainer.state().optimizer.param_groups()[0].options().get_lr();
  EXPECT_NEAR(lr, cyclicLearningRate(1, 0.05, 10, 4, "triangular"), 1e-12);
  EXPECT_NEAR(lr, 0.005 + 0.045 * 0.5, 1e-12);
}

TEST(CyclicLrTest, PeaksAtTheRateLrRangeTestChose) {
  plan::Plan p = tinyCnnPlan({.totalSteps = 20});
  addMethod(p, "lr_range_test", {{"length", Scalar::num(20)}});
  addMethod(p, "cyclic_lr", {{"cycle", Scalar::num(4)}, {"div_factor", Scalar::num(10)}});
  Dataset data = loadDataset(p.task, p.training.seed);
  Trainer trainer(p, quietOptions(2), &data); // last step run: step 1
  trainer.fit();
  const double chosen = trainer.state().findings.at("lr_range_test.lr");
  ASSERT_NE(chosen, 0.05); // not the optimizer's own rate
  const double lr = trainer.state().optimizer.param_groups()[0].options().get_lr();
  EXPECT_NEAR(lr, cyclicLearningRate(1, chosen, 10, 4, "triangular"), 1e-12);
}

// --- kaiming_init / orthogonal_init ---

TEST(InitTest, ResidualBranchEndNormsAreFound) {
  plan::Plan p = tinyCnnPlan({.residual = true});
  EXPECT_EQ(residualBranchEndNorms(p.ops), std::vector<std::string>{"bn3"});
  EXPECT_TRUE(residualBranchEndNorms(tinyCnnPlan().ops).empty());
}

TEST(InitTest, KaimingFanInAndZeroInitResidual) {
  plan::Plan p = tinyCnnPlan({.totalSteps = 1, .residual = true});
  addMethod(p, "kaiming_init");
  Dataset data = loadDataset(p.task, p.training.seed);
  Trainer trainer(p, quietOptions(), &data);
  auto* method = findMethod<KaimingInit>(trainer);
  ASSERT_NE(method, nullptr);
  method->apply(Event::Init, trainer.state());
  EXPECT_EQ(trainer.model()->parametersOf("bn3")[0].abs().sum().item<double>(), 0);
  EXPECT_GT(trainer.model()->parametersOf("bn2")[0].abs().sum().item<double>(), 0);
  // Linear 16 -> 10: He std sqrt(2/16) = 0.354, torch's default at most 1/sqrt(48) = 0.144.
  const double linearStd = trainer.model()->parametersOf("linear1")[0].std().item<double>();
  EXPECT_GT(linearStd, 0.25);
}

TEST(InitTest, OrthogonalRowsAreOrthonormalTimesGain) {
  plan::Plan p = tinyCnnPlan({.totalSteps = 1});
  addMethod(p, "orthogonal_init", {{"gain", Scalar::num(2.0)}});
  Dataset data = loadDataset(p.task, p.training.seed);
  Trainer trainer(p, quietOptions(), &data);
  auto* method = findMethod<OrthogonalInit>(trainer);
  ASSERT_NE(method, nullptr);
  method->apply(Event::Init, trainer.state());
  torch::Tensor w = trainer.model()->parametersOf("conv1")[0].detach().reshape({8, -1});
  EXPECT_TRUE(torch::allclose(w.mm(w.t()), 4 * torch::eye(8), 1e-4, 1e-4));
}

// --- sam / efficient_sam ---

TEST(SamTest, PerturbationHasNormRho) {
  torch::Tensor a = torch::ones({2}, torch::requires_grad());
  a.mutable_grad() = torch::tensor({3.0f, 4.0f});
  std::vector<torch::Tensor> e = samPerturbation({a}, 0.5, false);
  EXPECT_NEAR(e[0][0].item<double>(), 0.3, 1e-6);
  EXPECT_NEAR(e[0][1].item<double>(), 0.4, 1e-6);
}

TEST(SamTest, TwoGradientEvaluationsPerStepAndADifferentTrajectory) {
  plan::Plan p = tinyCnnPlan({.totalSteps = 4});
  Dataset data = loadDataset(p.task, p.training.seed);
  Trainer plain(p, quietOptions(), &data);
  plain.fit();
  EXPECT_EQ(plain.state().gradientEvaluations, 4);

  plan::Plan withSam = p;
  addMethod(withSam, "sam", {{"rho", Scalar::num(0.5)}});
  Trainer sam(withSam, quietOptions(), &data);
  sam.fit();
  EXPECT_EQ(sam.state().gradientEvaluations, 8);
  EXPECT_EQ(findMethod<Sam>(sam)->perturbedSteps(), 4);
  // The weights end where the perturbed gradients led, not the plain ones.
  const auto live = plain.model()->parameters(), perturbed = sam.model()->parameters();
  double difference = 0;
  for (size_t i = 0; i < live.size(); ++i)
    difference += (live[i] - perturbed[i]).abs().sum().item<double>();
  EXPECT_GT(difference, 1e-3);
}

TEST(SamTest, EfficientSamPerturbsEveryKStepsAndReusesBetween) {
  plan::Plan p = tinyCnnPlan({.totalSteps = 6});
  addMethod(p, "efficient_sam", {{"k", Scalar::num(3)}, {"rho", Scalar::num(0.5)}});
  Dataset data = loadDataset(p.task, p.training.seed);
  Trainer trainer(p, quietOptions(), &data);
  trainer.fit();
  auto* method = findMethod<EfficientSam>(trainer);
  ASSERT_NE(method, nullptr);
  EXPECT_EQ(method->perturbedSteps(), 2); // steps 0 and 3
  EXPECT_EQ(method->reusedSteps(), 4);
  EXPECT_EQ(trainer.state().gradientEvaluations, 6 + 2);
}

// --- gradual_magnitude_pruning ---

TEST(PruningTest, CubicScheduleAndExactMasks) {
  EXPECT_EQ(prunedFraction(1, 2, 6, 0.8), 0);
  EXPECT_NEAR(prunedFraction(4, 2, 6, 0.8), 0.8 * (1 - 0.125), 1e-12);
  EXPECT_NEAR(prunedFraction(9, 2, 6, 0.8), 0.8, 1e-12);
  torch::Tensor mask = magnitudeMask(torch::tensor({0.5f, -3.0f, 0.1f, 2.0f}), 0.5);
  EXPECT_TRUE(torch::equal(mask, torch::tensor({0.0f, 1.0f, 0.0f, 1.0f})));
}

double zeroFraction(const torch::Tensor& t) {
  return t.eq(0).sum().item<double>() / static_cast<double>(t.numel());
}

TEST(PruningTest, SparsityFollowsTheScheduleAndReachesTheTarget) {
  plan::Plan p = tinyCnnPlan({.totalSteps = 10});
  addMethod(p, "gradual_magnitude_pruning",
            {{"final_sparsity", Scalar::num(0.8)},
             {"start", Scalar::num(0.2)},
             {"end", Scalar::num(0.6)},
             {"frequency", Scalar::num(1)}});
  Dataset data = loadDataset(p.task, p.training.seed);
  Trainer midway(p, quietOptions(4), &data);
  midway.fit();
  const double expected = prunedFraction(4, 2, 6, 0.8);
  EXPECT_NEAR(zeroFraction(midway.model()->parametersOf("conv2")[0]), expected, 0.01);

  Trainer full(p, quietOptions(), &data);
  full.fit();
  for (const char* layer : {"conv1", "conv2", "linear1"})
    EXPECT_GE(zeroFraction(full.model()->parametersOf(layer)[0]), 0.79) << layer;
  EXPECT_NEAR(findMethod<GradualMagnitudePruning>(full)->currentSparsity(), 0.8, 1e-12);
}

} // namespace
} // namespace fiver::runtime
