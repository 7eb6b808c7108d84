// lamb, lars and lr_range_test: each test fails if the method did nothing.
// LAMB and LARS steps are plain Adam and SGD steps scaled per tensor by the
// trust ratio; lr_range_test picks a rate below where the loss explodes and
// leaves the run's starting point untouched.
#include "methods/lr_range_test/Hook.h"
#include "runtime/optim/Lamb.h"
#include "runtime/optim/Lars.h"
#include "runtime/optim/Optimizer.h"
#include "runtime/optim/TrainingOptimizer.h"
#include "runtime/train/Trainer.h"
#include "tests/runtime/TestPlans.h"

#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <unistd.h>

namespace fiver::runtime {
namespace {

using testing::addMethod;
using testing::tinyCnnPlan;

TrainOptions quiet() {
  TrainOptions o;
  o.threads = 1;
  o.quiet = true;
  return o;
}

// Two tensors with hand-picked weights and gradients.
struct TwoTensors {
  torch::Tensor w1 = torch::tensor({{1.0, 2.0}, {3.0, 4.0}}, torch::kDouble);
  torch::Tensor w2 = torch::tensor({0.5, 0.0, 0.0}, torch::kDouble);
  TwoTensors() {
    w1.mutable_grad() = torch::tensor({{0.1, -0.2}, {0.3, 0.4}}, torch::kDouble);
    w2.mutable_grad() = torch::tensor({1.0, 1.0, -1.0}, torch::kDouble);
  }
  std::vector<torch::Tensor> params() { return {w1, w2}; }
};

std::vector<torch::Tensor> steps(torch::optim::Optimizer& opt, std::vector<torch::Tensor> ps) {
  std::vector<torch::Tensor> before;
  for (const torch::Tensor& p : ps)
    before.push_back(p.detach().clone());
  opt.step();
  std::vector<torch::Tensor> delta;
  for (size_t i = 0; i < ps.size(); ++i)
    delta.push_back(ps[i].detach() - before[i]);
  return delta;
}

TEST(LambTest, StepIsTheAdamStepTimesTheTrustRatio) {
  TwoTensors lambParams, adamParams;
  Lamb lamb({torch::optim::OptimizerParamGroup(lambParams.params())}, LambOptions(0.01).eps(1e-6));
  torch::optim::Adam adam({torch::optim::OptimizerParamGroup(adamParams.params())},
                          torch::optim::AdamOptions(0.01).eps(1e-6));
  const auto lambDelta = steps(lamb, lambParams.params());
  const auto adamDelta = steps(adam, adamParams.params());
  // First step: the Adam update is g / (|g| + eps), about sign(g), so
  // ||u1|| = 2 and ||u2|| = sqrt(3); ||w1|| = sqrt(30), ||w2|| = 0.5.
  const double ratio1 = std::sqrt(30.0) / 2, ratio2 = 0.5 / std::sqrt(3.0);
  EXPECT_TRUE(torch::allclose(lambDelta[0], ratio1 * adamDelta[0], 1e-4, 1e-9));
  EXPECT_TRUE(torch::allclose(lambDelta[1], ratio2 * adamDelta[1], 1e-4, 1e-9));
  EXPECT_FALSE(torch::allclose(lambDelta[0], adamDelta[0], 1e-2, 1e-6));
}

TEST(LambTest, TrustRatioIsOneWhenANormIsZero) {
  EXPECT_EQ(trustRatio(torch::tensor(0.0), torch::tensor(2.0)).item<double>(), 1.0);
  EXPECT_EQ(trustRatio(torch::tensor(3.0), torch::tensor(0.0)).item<double>(), 1.0);
  EXPECT_EQ(trustRatio(torch::tensor(3.0), torch::tensor(2.0)).item<double>(), 1.5);
}

TEST(LambTest, EqualizesTheLayersRelativeUpdates) {
  torch::manual_seed(3);
  auto layers = [] {
    std::vector<torch::Tensor> ps = {torch::randn({16, 16}) * 100, torch::randn({8, 8}) * 0.01};
    for (torch::Tensor& p : ps)
      p.mutable_grad() = torch::randn_like(p);
    return ps;
  };
  auto relative = [](torch::optim::Optimizer& opt, std::vector<torch::Tensor> ps) {
    std::vector<double> out;
    std::vector<double> norms;
    for (const torch::Tensor& p : ps)
      norms.push_back(p.norm().item<double>());
    const auto delta = steps(opt, ps);
    for (size_t i = 0; i < ps.size(); ++i)
      out.push_back(delta[i].norm().item<double>() / norms[i]);
    return out;
  };
  std::vector<torch::Tensor> a = layers(), b = a;
  for (torch::Tensor& t : b) {
    torch::Tensor g = t.grad().clone();
    t = t.detach().clone();
    t.mutable_grad() = g;
  }
  Lamb lamb({torch::optim::OptimizerParamGroup(a)}, LambOptions(0.01));
  torch::optim::Adam adam({torch::optim::OptimizerParamGroup(b)}, torch::optim::AdamOptions(0.01));
  const auto underLamb = relative(lamb, a), underAdam = relative(adam, b);
  EXPECT_NEAR(underLamb[0], 0.01, 1e-6);
  EXPECT_NEAR(underLamb[1], 0.01, 1e-6);
  EXPECT_GT(underAdam[1] / underAdam[0], 1000); // Adam moves the small layer by far more
}

TEST(LarsTest, StepIsTheSgdStepTimesTheLocalRate) {
  TwoTensors larsParams, sgdParams;
  Lars lars({torch::optim::OptimizerParamGroup(larsParams.params())},
            LarsOptions(0.1).momentum(0.9).trust_coefficient(0.001).eps(0));
  torch::optim::SGD sgd({torch::optim::OptimizerParamGroup(sgdParams.params())},
                        torch::optim::SGDOptions(0.1).momentum(0.9));
  const auto larsDelta = steps(lars, larsParams.params());
  const auto sgdDelta = steps(sgd, sgdParams.params());
  // ||w1|| / ||g1|| = sqrt(30) / sqrt(0.3) = 10; ||w2|| / ||g2|| = 0.5 / sqrt(3).
  const double rate1 = 0.001 * 10, rate2 = 0.001 * 0.5 / std::sqrt(3.0);
  EXPECT_TRUE(torch::allclose(larsDelta[0], rate1 * sgdDelta[0], 1e-9, 1e-12));
  EXPECT_TRUE(torch::allclose(larsDelta[1], rate2 * sgdDelta[1], 1e-9, 1e-12));
}

TEST(LarsTest, LocalRateCountsWeightDecay) {
  const double rate = larsLocalRate(torch::tensor(2.0, torch::kDouble),
                                    torch::tensor(1.0, torch::kDouble), 0.01, 0.5, 0)
                          .item<double>();
  EXPECT_DOUBLE_EQ(rate, 0.01 * 2 / (1 + 0.5 * 2));
}

TEST(OptimizerMethodsTest, MethodsReplaceTheRecipeOptimizerWithBnAndBiasExcluded) {
  plan::Plan lambPlan = tinyCnnPlan();
  addMethod(lambPlan, "lamb", {{"weight_decay", plan::Scalar::num(0.05)}});
  Trainer lambTrainer(lambPlan, quiet());
  auto* lamb = dynamic_cast<Lamb*>(&lambTrainer.state().optimizer);
  ASSERT_NE(lamb, nullptr);
  ASSERT_EQ(lamb->param_groups().size(), 2u);
  const auto& adapted = static_cast<const LambOptions&>(lamb->param_groups()[0].options());
  const auto& plain = static_cast<const LambOptions&>(lamb->param_groups()[1].options());
  EXPECT_TRUE(adapted.adapt());
  EXPECT_DOUBLE_EQ(adapted.weight_decay(), 0.05);
  EXPECT_FALSE(plain.adapt());
  EXPECT_DOUBLE_EQ(plain.weight_decay(), 0);
  for (const torch::Tensor& p : lamb->param_groups()[1].params())
    EXPECT_LE(p.dim(), 1);

  plan::Plan larsPlan = tinyCnnPlan();
  addMethod(larsPlan, "lars", {{"exclude_bn_bias", plan::Scalar::num(0)}});
  Trainer larsTrainer(larsPlan, quiet());
  auto* lars = dynamic_cast<Lars*>(&larsTrainer.state().optimizer);
  ASSERT_NE(lars, nullptr);
  EXPECT_EQ(lars->param_groups().size(), 1u); // nothing excluded
  const TrainResult r = larsTrainer.fit();
  EXPECT_TRUE(std::isfinite(r.stepLosses.back()));
}

TEST(OptimizerMethodsTest, ALambRunResumesBitIdentically) {
  namespace fs = std::filesystem;
  plan::Plan p = tinyCnnPlan({.totalSteps = 30});
  p.optimizer.params["lr"] = plan::Scalar::num(0.01);
  addMethod(p, "lamb");
  const fs::path dir = fs::temp_directory_path() / ("fiver-lamb-" + std::to_string(getpid()));
  fs::remove_all(dir);
  TrainOptions o = quiet();
  o.outDir = dir.string();
  auto weights = [](Trainer& t) {
    std::vector<torch::Tensor> out;
    for (const torch::Tensor& s : t.model()->stateTensors())
      out.push_back(s.clone());
    return out;
  };
  Trainer straight(p, quiet());
  straight.fit();
  TrainOptions first = o;
  first.maxSteps = 13;
  Trainer(p, first).fit();
  TrainOptions resumed = o;
  resumed.resume = true;
  Trainer second(p, resumed);
  second.fit();
  const auto a = weights(straight), b = weights(second);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i)
    EXPECT_TRUE(torch::equal(a[i], b[i])) << "state tensor " << i;
  fs::remove_all(dir);
}

// Gradient descent on the quadratic loss curvature/2 * w^2 diverges for
// lr > 2 / curvature: the sweep's curve, as lr_range_test records it.
LrRangeCurve quadraticSweep(double curvature) {
  LrRangeCurve c;
  double w = 1, average = 0, best = INFINITY;
  for (int64_t step = 0; step < 200; ++step) {
    const double lr = rangeTestLearningRate(step, 200, 1e-4, 100);
    const double loss = 0.5 * curvature * w * w;
    w -= lr * curvature * w;
    average = 0.98 * average + 0.02 * loss;
    const double smoothed = average / (1 - std::pow(0.98, step + 1));
    if (smoothed > 4 * best) break;
    best = std::min(best, smoothed);
    c.lrs.push_back(lr);
    c.smoothedLosses.push_back(smoothed);
  }
  return c;
}

TEST(LrRangeTestTest, PicksARateBelowWhereTheLossExplodes) {
  EXPECT_DOUBLE_EQ(rangeTestLearningRate(0, 100, 1e-6, 10), 1e-6);
  EXPECT_NEAR(rangeTestLearningRate(99, 100, 1e-6, 10), 10, 1e-9);
  for (double curvature : {1.0, 100.0}) {
    const LrRangeCurve c = quadraticSweep(curvature);
    for (const char* pick : {"steepest", "min_div_10"}) {
      const double lr = pickLearningRate(c, pick);
      EXPECT_LT(lr, 2 / curvature) << pick;
      EXPECT_GT(lr, 1e-4) << pick;
    }
  }
  // A problem that explodes earlier gets a smaller rate.
  EXPECT_LT(pickLearningRate(quadraticSweep(100), "steepest"),
            pickLearningRate(quadraticSweep(1), "steepest") / 10);
  EXPECT_THROW(LrRangeTest(100, 1e-6, 10, "median"), std::runtime_error);
}

TEST(LrRangeTestTest, SetsThePeakRateAndRestoresTheStartingPoint) {
  plan::Plan without = tinyCnnPlan({.totalSteps = 20});
  plan::Plan with = without;
  addMethod(with, "lr_range_test",
            {{"length", plan::Scalar::num(40)},
             {"min_lr", plan::Scalar::num(1e-4)},
             {"max_lr", plan::Scalar::num(100)}});
  Trainer plain(without, quiet());
  Trainer tested(with, quiet());
  ASSERT_EQ(tested.methods().size(), 1u);
  auto* sweep = dynamic_cast<LrRangeTest*>(tested.methods()[0].get());
  ASSERT_NE(sweep, nullptr);
  // Both trainers drew their initial weights from the same seed; the sweep
  // trains the live model and must hand it back untouched.
  at::Generator generator = at::detail::getDefaultCPUGenerator();
  const torch::Tensor rngBefore = generator.get_state();
  sweep->apply(Event::FitStart, tested.state());
  const auto a = plain.model()->stateTensors(), b = tested.model()->stateTensors();
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i)
    EXPECT_TRUE(torch::equal(a[i], b[i])) << "state tensor " << i;
  EXPECT_TRUE(torch::equal(rngBefore, generator.get_state()));
  EXPECT_TRUE(tested.state().optimizer.state().empty());
  // The loss exploded before max_lr, and the pick is not the recipe's rate.
  EXPECT_LT(sweep->curve().lrs.size(), 40u);
  EXPECT_NE(sweep->chosen(), peakLearningRate(with.optimizer));
  EXPECT_DOUBLE_EQ(tested.state().findings.at("lr_range_test.lr"), sweep->chosen());
}

TEST(LrRangeTestTest, ATrainedRunReportsTheChosenRate) {
  plan::Plan p = tinyCnnPlan({.totalSteps = 10});
  addMethod(p, "lr_range_test", {{"length", plan::Scalar::num(20)}});
  const TrainResult r = train(p, quiet());
  ASSERT_TRUE(r.findings.count("lr_range_test.lr"));
  EXPECT_GT(r.findings.at("lr_range_test.lr"), 0);
  EXPECT_EQ(r.steps, 10);
}

// A run interrupted after the sweep resumes with the rate it chose, without
// sweeping again (the method's curve stays empty), and ends like an
// uninterrupted run.
TEST(LrRangeTestTest, AResumedRunKeepsTheChosenRateWithoutSweepingAgain) {
  namespace fs = std::filesystem;
  plan::Plan p = tinyCnnPlan({.totalSteps = 20});
  addMethod(p, "lr_range_test", {{"length", plan::Scalar::num(20)}});
  const fs::path dir = fs::temp_directory_path() / ("fiver-range-" + std::to_string(getpid()));
  fs::remove_all(dir);
  Trainer straight(p, quiet());
  const TrainResult whole = straight.fit();
  TrainOptions first = quiet();
  first.outDir = dir.string();
  first.maxSteps = 7;
  Trainer(p, first).fit();
  TrainOptions resumed = first;
  resumed.maxSteps = 0;
  resumed.resume = true;
  Trainer second(p, resumed);
  const TrainResult rest = second.fit();
  auto* sweep = dynamic_cast<LrRangeTest*>(second.methods()[0].get());
  ASSERT_NE(sweep, nullptr);
  EXPECT_TRUE(sweep->curve().lrs.empty());
  EXPECT_DOUBLE_EQ(sweep->chosen(), whole.findings.at("lr_range_test.lr"));
  EXPECT_DOUBLE_EQ(rest.findings.at("lr_range_test.lr"), whole.findings.at("lr_range_test.lr"));
  const auto a = straight.model()->stateTensors(), b = second.model()->stateTensors();
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i)
    EXPECT_TRUE(torch::equal(a[i], b[i])) << "state tensor " << i;
  fs::remove_all(dir);
}

} // namespace
} // namespace fiver::runtime
