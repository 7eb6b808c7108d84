// Run metrics: the FLOP counter behind MFU (checked against a hand count),
// time to target, the evaluation log, flip test-time augmentation and the
// progress line.
#include "runtime/data/Dataset.h"
#include "runtime/metrics/EvalLog.h"
#include "runtime/metrics/FlipTta.h"
#include "runtime/metrics/FlopCounter.h"
#include "runtime/metrics/ProgressLine.h"
#include "runtime/metrics/TimeToTarget.h"
#include "runtime/train/Trainer.h"
#include "tests/runtime/TestPlans.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <unistd.h>

namespace fiver::runtime {
namespace {

plan::Op op(int id, std::string kind, std::vector<int> inputs, plan::ScalarMap attrs,
            std::vector<int64_t> shape) {
  plan::Op o;
  o.id = id;
  o.kind = std::move(kind);
  o.name = o.kind + std::to_string(id);
  o.inputs = std::move(inputs);
  o.attrs = std::move(attrs);
  o.shape = std::move(shape);
  return o;
}

// The tests' training runs: one thread, no progress lines.
TrainOptions quietOneThread() {
  TrainOptions o;
  o.threads = 1;
  o.quiet = true;
  return o;
}

// An empty folder of this process's own under the system's temporary folder.
std::filesystem::path emptyTempDir(const std::string& tag) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("fiver-" + tag + "-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  return dir;
}

// input 1x4x4 -> conv 3x3 (1 -> 2) -> relu -> global_avgpool -> linear (2 -> 3).
plan::Plan handCountedPlan() {
  using plan::Scalar;
  plan::Plan p;
  p.task.inputShape = {1, 4, 4};
  p.training.batchSize = 2;
  p.ops.push_back(op(0, "input", {}, {}, {1, 4, 4}));
  p.ops.push_back(op(1, "conv", {0},
                     {{"in", Scalar::num(1)}, {"out", Scalar::num(2)}, {"kernel", Scalar::num(3)}},
                     {2, 4, 4}));
  p.ops.push_back(op(2, "relu", {1}, {}, {2, 4, 4}));
  p.ops.push_back(op(3, "global_avgpool", {2}, {}, {2}));
  p.ops.push_back(op(4, "linear", {3}, {{"in", Scalar::num(2)}, {"out", Scalar::num(3)}}, {3}));
  return p;
}

// Per image at 4x4: conv 2*32*9 = 576 forward, 1152 backward; relu 32 + 32;
// global pool 32 + 32 (it reads the 32-element map); linear 2*3*2 = 12 + 24.
constexpr double kConv = 576 + 1152, kRelu = 64, kPool = 64, kLinear = 12 + 24;

TEST(FlopCounter, MatchesTheHandCount) {
  FlopCounter counter(handCountedPlan());
  EXPECT_DOUBLE_EQ(counter.stepFlops(1, 4, 4), kConv + kRelu + kPool + kLinear); // 1892
  counter.addStep(2, 4, 4);
  counter.addStep(2, 4, 4, 2); // a step with two passes (sam)
  EXPECT_DOUBLE_EQ(counter.total(), 3 * 2 * 1892.0);
}

TEST(FlopCounter, SmallerInputsCostTheirAreaInSpatialOps) {
  FlopCounter counter(handCountedPlan());
  // 2x2 is a quarter of the area; the classifier after the pool does not shrink.
  EXPECT_DOUBLE_EQ(counter.stepFlops(1, 2, 2), (kConv + kRelu + kPool) / 4 + kLinear);
  EXPECT_LT(counter.stepFlops(2, 2, 2), counter.stepFlops(2, 4, 4));
}

TEST(FlopCounter, FrozenPrefixDropsItsBackwardPass) {
  FlopCounter counter(handCountedPlan());
  EXPECT_DOUBLE_EQ(counter.stepFlops(1, 4, 4), 1892);
  counter.freeze(1); // as layer_freezing reports it
  // Only the linear layer trains: nothing before it needs a gradient.
  EXPECT_DOUBLE_EQ(counter.stepFlops(1, 4, 4), 576 + 32 + 32 + kLinear);
  // A scoring pass of a fresh model still trains every op.
  EXPECT_DOUBLE_EQ(counter.trainingPassFlops(1, 4, 4), 1892);
  EXPECT_DOUBLE_EQ(counter.forwardFlops(1, 4, 4), 576 + 32 + 32 + 12);
}

TEST(FlopCounter, PlannedStepsFollowThePlansFreezeSteps) {
  plan::Plan p = handCountedPlan();
  p.ops[1].freezeStep = 1;
  FlopCounter counter(p);
  counter.addPlannedSteps(p, 3); // a checkpoint that recorded no FLOPs
  EXPECT_DOUBLE_EQ(counter.total(), 2 * (1892 + 2 * (576 + 32 + 32 + kLinear)));
}

TEST(FlopCounter, PlannedStepsFollowTheResolutionStages) {
  plan::Plan p = handCountedPlan();
  p.resolution = {{0, 2, 2}, {3, 4, 4}};
  FlopCounter counter(p);
  counter.addPlannedSteps(p, 5);
  EXPECT_DOUBLE_EQ(counter.total(),
                   3 * counter.stepFlops(2, 2, 2) + 2 * counter.stepFlops(2, 4, 4));
}

TEST(FlopCounter, TrainingCountsEveryStepAtItsBatch) {
  plan::Plan p = testing::tinyCnnPlan({.totalSteps = 4});
  TrainOptions o = quietOneThread();
  TrainResult r = train(p, o);
  ASSERT_EQ(r.steps, 4);
  EXPECT_DOUBLE_EQ(r.flops, 4 * FlopCounter(p).stepFlops(32, 28, 28));
  EXPECT_GE(r.totalSeconds, r.trainSeconds);
  EXPECT_GT(flopsPerSecond(r.flops, r.trainSeconds), 0);
  EXPECT_DOUBLE_EQ(modelFlopsUtilization(5, 10), 0.5);
  EXPECT_EQ(modelFlopsUtilization(5, 0), 0); // no known peak, no MFU
}

TEST(TimeToTarget, FirstEvaluationReachingTheTargetCounts) {
  TimeToTarget t(0.9);
  t.observe(0.85, 10, 12);
  EXPECT_FALSE(t.reached());
  t.observe(0.91, 20, 25);
  t.observe(0.95, 30, 40);
  ASSERT_TRUE(t.reached());
  EXPECT_EQ(*t.trainSeconds(), 20);
  EXPECT_EQ(*t.wallSeconds(), 25);
  TimeToTarget none;
  none.observe(1.0, 1, 1);
  EXPECT_FALSE(none.reached());
}

TEST(TimeToTarget, TrainerReportsItOrNothing) {
  plan::Plan p = testing::tinyCnnPlan({.totalSteps = 32}); // two epochs of 16 steps
  TrainOptions o = quietOneThread();
  o.targetAccuracy = 1e-6; // the first evaluation reaches it
  TrainResult reached = train(p, o);
  ASSERT_TRUE(reached.targetTrainSeconds.has_value());
  EXPECT_DOUBLE_EQ(*reached.targetTrainSeconds, reached.epochs.front().trainSeconds);
  EXPECT_GE(*reached.targetTotalSeconds, *reached.targetTrainSeconds);
  EXPECT_LE(*reached.targetTotalSeconds, reached.totalSeconds);
  o.targetAccuracy = 1.0 + 1e-9; // unreachable
  EXPECT_FALSE(train(p, o).targetTrainSeconds.has_value());
}

TEST(TimeToTarget, EvaluationsBetweenEpochEndsReadItSooner) {
  plan::Plan p = testing::tinyCnnPlan({.totalSteps = 32}); // two epochs of 16 steps
  TrainOptions o = quietOneThread();
  o.targetAccuracy = 1e-6; // the first evaluation reaches it
  o.evalEvery = 4;
  TrainResult r = train(p, o);
  // Steps 4, 8, 12, 16 (the epoch end too), 20, 24, 28; not 32, the run's end.
  ASSERT_EQ(r.evalPoints.size(), 7u);
  EXPECT_EQ(r.evalPoints.front().step, 4);
  EXPECT_DOUBLE_EQ(r.evalPoints[1].epoch, 0.5);
  for (size_t i = 1; i < r.evalPoints.size(); ++i)
    EXPECT_GT(r.evalPoints[i].trainSeconds, r.evalPoints[i - 1].trainSeconds);
  // Evaluations are not train time: the first epoch's end comes after step 12's.
  EXPECT_GT(r.epochs.front().trainSeconds, r.evalPoints[2].trainSeconds);
  ASSERT_TRUE(r.targetTrainSeconds.has_value());
  EXPECT_DOUBLE_EQ(*r.targetTrainSeconds, r.evalPoints.front().trainSeconds);
  EXPECT_LT(*r.targetTrainSeconds, r.epochs.front().trainSeconds);
}

TEST(TimeToTarget, AResumedRunKeepsTheEvaluationsBeforeItsCheckpoint) {
  namespace fs = std::filesystem;
  plan::Plan p = testing::tinyCnnPlan({.totalSteps = 32});
  const fs::path dir = emptyTempDir("evalpoints");
  TrainOptions o = quietOneThread();
  o.evalEvery = 4;
  const TrainResult whole = train(p, o);
  o.outDir = dir.string();
  o.maxSteps = 10; // interrupted after the evaluations at steps 4 and 8
  train(p, o);
  o.maxSteps = 0;
  o.resume = true;
  const TrainResult resumed = train(p, o);
  ASSERT_EQ(resumed.evalPoints.size(), whole.evalPoints.size());
  for (size_t i = 0; i < whole.evalPoints.size(); ++i) {
    EXPECT_EQ(resumed.evalPoints[i].step, whole.evalPoints[i].step);
    EXPECT_DOUBLE_EQ(resumed.evalPoints[i].accuracy, whole.evalPoints[i].accuracy);
  }
  fs::remove_all(dir);
}

std::vector<nlohmann::json> readEvalLog(const std::filesystem::path& dir) {
  std::ifstream in(dir / "eval.jsonl");
  std::vector<nlohmann::json> lines;
  for (std::string line; std::getline(in, line);)
    lines.push_back(nlohmann::json::parse(line));
  return lines;
}

TEST(EvalLog, LinesHaveTheFormatsKeysInOrder) {
  EXPECT_EQ(evalLogLine({12, 0.75, 3.5, 0.875}, "holdout"),
            R"({"step":12,"epoch":0.75,"train_seconds":3.5,"split":"holdout","accuracy":0.875})");
  EXPECT_EQ(
      evalLogLine({16, 1, 4, 0.5}, "test", true),
      R"({"step":16,"epoch":1.0,"train_seconds":4.0,"split":"test","accuracy":0.5,"final":true})");
}

TEST(EvalLog, OneLinePerEvaluationAndTheLastMarkedFinal) {
  namespace fs = std::filesystem;
  plan::Plan p = testing::tinyCnnPlan({.totalSteps = 32}); // two epochs of 16 steps
  const fs::path dir = emptyTempDir("evallog");
  TrainOptions o = quietOneThread();
  o.outDir = dir.string();
  o.evalEvery = 4;
  const TrainResult r = train(p, o);
  // Steps 4 to 28 and the run's end; step 16 is an --eval-every point and
  // the first epoch's end, evaluated once.
  const std::vector<nlohmann::json> lines = readEvalLog(dir);
  ASSERT_EQ(lines.size(), 8u);
  ASSERT_EQ(r.evaluations.size(), 8u);
  for (size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(lines[i]["step"], 4 * static_cast<int64_t>(i + 1));
    EXPECT_EQ(lines[i]["split"], "test");
    EXPECT_DOUBLE_EQ(lines[i]["accuracy"].get<double>(), r.evaluations[i].accuracy);
    EXPECT_DOUBLE_EQ(lines[i]["train_seconds"].get<double>(), r.evaluations[i].trainSeconds);
    EXPECT_EQ(lines[i].contains("final"), i + 1 == lines.size());
    if (i > 0) EXPECT_GE(lines[i]["train_seconds"], lines[i - 1]["train_seconds"]);
  }
  EXPECT_DOUBLE_EQ(lines[3]["epoch"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(lines[3]["accuracy"].get<double>(), r.epochs.front().accuracy);
  EXPECT_DOUBLE_EQ(lines.back()["epoch"].get<double>(), 2.0);
  EXPECT_DOUBLE_EQ(lines.back()["accuracy"].get<double>(), r.testAccuracy);
  // A rerun in the same folder replaces the log.
  o.evalEvery = 0;
  train(p, o);
  EXPECT_EQ(readEvalLog(dir).size(), 2u);
  fs::remove_all(dir);
}

TEST(EvalLog, AResumedRunWritesNoEvaluationTwice) {
  namespace fs = std::filesystem;
  plan::Plan p = testing::tinyCnnPlan({.totalSteps = 32});
  const fs::path dir = emptyTempDir("evalresume");
  TrainOptions o = quietOneThread();
  o.outDir = dir.string();
  o.evalEvery = 8;
  o.maxSteps = 8; // stops halfway through the first epoch, evaluated there
  train(p, o);
  std::vector<nlohmann::json> lines = readEvalLog(dir);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_DOUBLE_EQ(lines[0]["epoch"].get<double>(), 0.5);
  EXPECT_TRUE(lines[0].value("final", false));
  o.maxSteps = 0;
  o.resume = true;
  const TrainResult resumed = train(p, o);
  // Step 16 is an --eval-every point and the first epoch's end: one line.
  lines = readEvalLog(dir);
  ASSERT_EQ(lines.size(), 4u); // 8, 16, 24, 32
  for (size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(lines[i]["step"], 8 * static_cast<int64_t>(i + 1));
    EXPECT_EQ(lines[i].contains("final"), i + 1 == lines.size());
  }
  EXPECT_EQ(resumed.evaluations.size(), 4u);
  fs::remove_all(dir);
}

TEST(FlipTta, AveragesTheLogitsOfTheImageAndItsMirror) {
  plan::Plan p = testing::tinyCnnPlan();
  torch::manual_seed(3);
  PlanModel model(p.ops);
  model->eval();
  torch::NoGradGuard noGrad;
  torch::Tensor x = torch::rand({2, 1, 28, 28});
  x.narrow(3, 0, 14).zero_(); // left half dark: not its own mirror image
  torch::Tensor plain = evaluationLogits(model, x, TestTimeAugmentation::None);
  torch::Tensor flipped = evaluationLogits(model, x, TestTimeAugmentation::Flip);
  EXPECT_FALSE(torch::allclose(plain, flipped));
  EXPECT_TRUE(torch::allclose(flipped, (plain + model->forward(x.flip({3}))) / 2));
  EXPECT_EQ(parseTestTimeAugmentation("flip"), TestTimeAugmentation::Flip);
  EXPECT_THROW(parseTestTimeAugmentation("rotate"), std::invalid_argument);
}

TEST(FlipTta, EvaluationAccuracyComesFromTheAveragedLogits) {
  plan::Plan p = testing::tinyCnnPlan({.totalSteps = 8});
  Dataset d = loadDataset(p.task, p.training.seed);
  TrainOptions o = quietOneThread();
  o.tta = "flip";
  Trainer trainer(p, o, &d);
  trainer.fit();
  const double reported = trainer.evaluate().first;
  PlanModel& model = trainer.model();
  model->eval();
  torch::NoGradGuard noGrad;
  torch::Tensor logits = evaluationLogits(model, d.test.images, TestTimeAugmentation::Flip);
  const double expected =
      logits.argmax(1).eq(d.test.labels).to(torch::kDouble).mean().item<double>();
  EXPECT_DOUBLE_EQ(reported, expected);
  model->train();
}

// The recipe method does what `--tta flip` does: every evaluation, the
// holdout's during the run and the test split's at the end, reads the
// averaged logits, and a run without it reads the plain ones.
TEST(FlipTta, TheRecipeMethodEvaluatesOnTheAveragedLogits) {
  plan::Plan p = testing::tinyCnnPlan({.totalSteps = 8});
  testing::addMethod(p, "flip_tta");
  Dataset d = loadDataset(p.task, p.training.seed);
  TrainOptions o = quietOneThread();
  Trainer trainer(p, o, &d);
  trainer.fit();
  const double reported = trainer.evaluate().first;
  PlanModel& model = trainer.model();
  model->eval();
  torch::NoGradGuard noGrad;
  auto accuracyOf = [&](const torch::Tensor& logits) {
    return logits.argmax(1).eq(d.test.labels).to(torch::kDouble).mean().item<double>();
  };
  const torch::Tensor flipped = evaluationLogits(model, d.test.images, TestTimeAugmentation::Flip);
  const torch::Tensor plain = evaluationLogits(model, d.test.images, TestTimeAugmentation::None);
  EXPECT_DOUBLE_EQ(reported, accuracyOf(flipped));
  EXPECT_FALSE(torch::allclose(flipped, plain)); // the method changed what was evaluated
  model->train();
}

TEST(ProgressLine, ShowsStepLossAccuracyRateAndEta) {
  Progress p{1, 3, 10, 100, 0.51234, std::nullopt, "test", 1234.4, 5.0};
  EXPECT_EQ(progressLine(p), "epoch 1/3  step 10/100  loss 0.5123  1234 img/s  ETA 0:45");
  p.lastAccuracy = 0.8765;
  p.evalSplit = "holdout";
  EXPECT_EQ(progressLine(p),
            "epoch 1/3  step 10/100  loss 0.5123  holdout acc 87.65%  1234 img/s  ETA 0:45");
  EXPECT_FALSE(etaSeconds(0, 100, 0).has_value());
  EXPECT_EQ(clockText(3909), "1:05:09");
  EXPECT_EQ(clockText(9.4), "0:09");
}

} // namespace
} // namespace fiver::runtime
