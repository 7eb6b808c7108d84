// Every method's work in the run's FLOP count, against hand counts on a tiny
// all-linear model: training steps, the passes methods add (scoring, a
// learning-rate sweep, sam's second gradient, weight averages), what they
// leave out (frozen layers' backward, dropped residual branches), and
// evaluation, kept apart from training. Also MFU from those FLOPs with an
// injected peak and train time.
#include "runtime/metrics/FlopCounter.h"
#include "runtime/metrics/Utilization.h"
#include "runtime/train/Trainer.h"
#include "tests/runtime/TestPlans.h"

#include <gtest/gtest.h>

namespace fiver::runtime {
namespace {

using plan::Scalar;
using testing::addMethod;
using testing::makeOp;

plan::ScalarMap linear(double in, double out) {
  return {{"in", Scalar::num(in)}, {"out", Scalar::num(out)}, {"bias", Scalar::num(1)}};
}

// input 1x4x4 -> flatten -> linear1 (16 -> 8) -> relu1 -> linear2 (8 -> 8)
// -> add1 (linear2 + relu1: a residual branch) -> linear3 (8 -> 3), trained
// on 64 synthetic examples in batches of 16 for 4 steps (one epoch), then
// evaluated once on 32.
plan::Plan handCountedPlan() {
  plan::Plan p =
      testing::tinyCnnPlan({.trainSize = 64, .testSize = 32, .batchSize = 16, .totalSteps = 4});
  p.task.inputShape = {1, 4, 4};
  p.task.classes = 3;
  p.ops = {makeOp(0, "input", "input", {}, {}, {1, 4, 4}),
           makeOp(1, "flatten", "flatten1", {0}, {}, {16}),
           makeOp(2, "linear", "linear1", {1}, linear(16, 8), {8}),
           makeOp(3, "relu", "relu1", {2}, {}, {8}),
           makeOp(4, "linear", "linear2", {3}, linear(8, 8), {8}),
           makeOp(5, "add", "add1", {4, 3}, {}, {8}),
           makeOp(6, "linear", "linear3", {5}, linear(8, 3), {3})};
  return p;
}

// Per example, by the cost model's rules: a linear layer 2 in out forward and
// twice that backward; relu and add one per element each way; flatten free.
constexpr double kForward = 256 + 8 + 128 + 8 + 48;                      // 448
constexpr double kBackward = 512 + 8 + 256 + 8 + 96;                     // 880
constexpr double kPass = kForward + kBackward;                           // 1328
constexpr double kParameters = (16 * 8 + 8) + (8 * 8 + 8) + (8 * 3 + 3); // 235
constexpr int64_t kBatch = 16, kSteps = 4, kTestSize = 32;

TrainResult trainQuietly(const plan::Plan& p, const std::string& tta = "none") {
  TrainOptions o;
  o.threads = 1;
  o.quiet = true;
  o.tta = tta;
  return train(p, o);
}

double kind(const TrainResult& r, const std::string& name) {
  auto it = r.trainFlopsByKind.find(name);
  return it == r.trainFlopsByKind.end() ? -1 : it->second;
}

TEST(FlopAccounting, PlainRunCountsStepsAndEvaluationApart) {
  const TrainResult r = trainQuietly(handCountedPlan());
  ASSERT_EQ(r.steps, kSteps);
  ASSERT_EQ(r.evaluations.size(), 1u);
  EXPECT_DOUBLE_EQ(r.flops, kSteps * kBatch * kPass);
  EXPECT_DOUBLE_EQ(kind(r, "step"), r.flops);
  EXPECT_DOUBLE_EQ(r.evalFlops, kTestSize * kForward);
  EXPECT_EQ(r.parameters, kParameters);
}

TEST(FlopAccounting, FlipTestTimeAugmentationEvaluatesTwice) {
  const TrainResult r = trainQuietly(handCountedPlan(), "flip");
  EXPECT_DOUBLE_EQ(r.evalFlops, 2 * kTestSize * kForward);
  EXPECT_DOUBLE_EQ(r.flops, kSteps * kBatch * kPass); // evaluation is not training
}

TEST(FlopAccounting, SelectiveBackpropScoresTheBatchAndTrainsOnWhatItKeeps) {
  plan::Plan p = handCountedPlan();
  addMethod(p, "selective_backprop",
            {{"keep", Scalar::num(0.5)},
             {"start", Scalar::num(0)},
             {"end", Scalar::num(1)},
             {"interrupt", Scalar::num(0)}});
  const TrainResult r = trainQuietly(p);
  EXPECT_DOUBLE_EQ(kind(r, "scoring"), kSteps * kBatch * kForward);
  EXPECT_DOUBLE_EQ(kind(r, "step"), kSteps * (kBatch / 2) * kPass);
  EXPECT_DOUBLE_EQ(r.flops, kind(r, "scoring") + kind(r, "step"));
}

// score_at steps of plain training on full batches, then a forward pass over
// the 64 training examples, per scoring run.
double scoringRuns(int64_t runs, int64_t steps) {
  return static_cast<double>(runs) * (steps * kBatch * kPass + 64 * kForward);
}

TEST(FlopAccounting, DataPruningCountsItsScoringRuns) {
  plan::Plan p = handCountedPlan();
  addMethod(
      p, "data_pruning",
      {{"keep", Scalar::num(0.5)}, {"score_at", Scalar::num(2)}, {"score_seeds", Scalar::num(3)}});
  const TrainResult r = trainQuietly(p);
  EXPECT_DOUBLE_EQ(kind(r, "scoring"), scoringRuns(3, 2));
  EXPECT_DOUBLE_EQ(r.flops, kind(r, "scoring") + kind(r, "step"));
}

TEST(FlopAccounting, CurriculumCountsItsScoringRun) {
  plan::Plan p = handCountedPlan();
  addMethod(p, "curriculum", {{"score_at", Scalar::num(3)}});
  const TrainResult r = trainQuietly(p);
  EXPECT_DOUBLE_EQ(kind(r, "scoring"), scoringRuns(1, 3));
  EXPECT_DOUBLE_EQ(kind(r, "step"), kSteps * kBatch * kPass);
}

TEST(FlopAccounting, LrRangeTestCountsItsSweep) {
  plan::Plan p = handCountedPlan();
  // Rates too small to diverge: every sweep step runs.
  addMethod(
      p, "lr_range_test",
      {{"length", Scalar::num(5)}, {"min_lr", Scalar::num(1e-5)}, {"max_lr", Scalar::num(1e-4)}});
  const TrainResult r = trainQuietly(p);
  ASSERT_EQ(r.findings.at("lr_range_test.steps"), 5);
  EXPECT_DOUBLE_EQ(kind(r, "sweep"), 5 * kBatch * kPass);
  EXPECT_DOUBLE_EQ(r.flops, kind(r, "sweep") + kSteps * kBatch * kPass);
}

TEST(FlopAccounting, SamCountsItsSecondPassEveryStep) {
  plan::Plan p = handCountedPlan();
  addMethod(p, "sam");
  EXPECT_DOUBLE_EQ(trainQuietly(p).flops, 2 * kSteps * kBatch * kPass);
}

TEST(FlopAccounting, EfficientSamCountsItsSecondPassEveryKSteps) {
  plan::Plan p = handCountedPlan();
  addMethod(p, "efficient_sam", {{"k", Scalar::num(2)}});
  // Steps 0 and 2 recompute the gradient; 1 and 3 reuse the stored direction.
  EXPECT_DOUBLE_EQ(trainQuietly(p).flops, (kSteps + 2) * kBatch * kPass);
}

TEST(FlopAccounting, EmaCountsAnAverageUpdateEveryStep) {
  plan::Plan p = handCountedPlan();
  addMethod(p, "ema", {{"half_life", Scalar::num(10)}});
  const TrainResult r = trainQuietly(p);
  // lerp: 3 FLOPs per weight (the model has no buffers).
  EXPECT_DOUBLE_EQ(kind(r, "averaging"), kSteps * 3 * kParameters);
  EXPECT_DOUBLE_EQ(r.flops, kSteps * kBatch * kPass + kind(r, "averaging"));
}

TEST(FlopAccounting, SwaCountsTheUpdatesAfterItsFirstCopy) {
  plan::Plan p = handCountedPlan();
  addMethod(p, "swa", {{"start", Scalar::num(0)}});
  const TrainResult r = trainQuietly(p);
  // Step 0 copies the weights; steps 1-3 average into them. No batch norm to
  // re-estimate.
  EXPECT_DOUBLE_EQ(kind(r, "averaging"), (kSteps - 1) * 3 * kParameters);
}

TEST(FlopAccounting, StochasticDepthLeavesDroppedBranchesOut) {
  plan::Plan p = handCountedPlan();
  addMethod(p, "stochastic_depth", {{"drop", Scalar::num(1)}}); // always dropped
  const TrainResult r = trainQuietly(p);
  // Without linear2 and the add: forward 256 + 8 + 48, backward 512 + 8 + 96.
  EXPECT_DOUBLE_EQ(r.flops, kSteps * kBatch * (312 + 616));
  EXPECT_DOUBLE_EQ(r.evalFlops, kTestSize * kForward); // evaluation runs every op
}

TEST(FlopAccounting, LayerFreezingLeavesTheFrozenBackwardOut) {
  plan::Plan p = handCountedPlan();
  testing::opNamed(p, "linear1").freezeStep = 2;
  addMethod(p, "layer_freezing");
  const TrainResult r = trainQuietly(p);
  // From step 2 neither linear1 nor relu1 (nothing before it trains) runs backward.
  EXPECT_DOUBLE_EQ(r.flops, 2 * kBatch * kPass + 2 * kBatch * (kForward + 256 + 8 + 96));
}

TEST(FlopAccounting, FreezeStepsNeedTheHookThatFreezes) {
  plan::Plan p = handCountedPlan();
  testing::opNamed(p, "linear1").freezeStep = 2; // no layer_freezing method: nothing freezes
  EXPECT_DOUBLE_EQ(trainQuietly(p).flops, kSteps * kBatch * kPass);
}

TEST(FlopAccounting, MfuIsTheHandCountOverInjectedTimeAndPeak) {
  FlopCounter counter(handCountedPlan());
  for (int step = 0; step < 10; ++step)
    counter.addStep(kBatch, 4, 4);
  counter.charge(FlopKind::Evaluation, 1e9); // evaluation does not count toward MFU
  Roofline roof;
  roof.peakFlops = 1e6;
  roof.peakBf16Flops = 4e6;
  roof.peakKernel = "matmul";
  roof.peakBf16Kernel = "conv";
  roof.trusted = true;
  const double seconds = 0.5; // a fake clock: the train time the run would report
  const Utilization fp32 = utilization(counter.training(), seconds, &roof, false);
  EXPECT_DOUBLE_EQ(fp32.achieved, 10 * kBatch * kPass / seconds);
  EXPECT_DOUBLE_EQ(fp32.mfu, 10 * kBatch * kPass / seconds / 1e6); // 0.425
  EXPECT_EQ(fp32.kernel, "matmul");
  const Utilization bf16 = utilization(counter.training(), seconds, &roof, true);
  EXPECT_DOUBLE_EQ(bf16.mfu, fp32.mfu / 4); // mixed precision: the bf16 peak
  EXPECT_EQ(bf16.dtype, "bf16");
  // Never clamped: an impossible figure shows as one.
  const Utilization tooFast = utilization(counter.training(), seconds / 10, &roof, false);
  EXPECT_DOUBLE_EQ(tooFast.mfu, 10 * fp32.mfu);
  EXPECT_EQ(utilizationText(tooFast, ""), ", MFU 425.0% of the fp32 peak");
  EXPECT_EQ(utilization(1, 1, nullptr, false).mfu, 0); // no peak, no MFU
  roof.trusted = false;
  EXPECT_NE(utilizationText(utilization(1, 1, &roof, false), "busy").find("measured under load"),
            std::string::npos);
}

} // namespace
} // namespace fiver::runtime
