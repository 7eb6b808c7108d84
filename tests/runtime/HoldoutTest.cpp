// The plan's holdout: the same examples for every seed, never in a training
// batch, evaluated during the run, with the test split evaluated once at the
// end; resuming a run with a holdout ends where an uninterrupted one does.
#include "runtime/data/Holdout.h"
#include "runtime/data/BatchLoader.h"
#include "runtime/data/IdxReader.h"
#include "runtime/train/Trainer.h"
#include "tests/runtime/TestPlans.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <unistd.h>

namespace fiver::runtime {
namespace {

namespace fs = std::filesystem;

std::set<int64_t> asSet(const torch::Tensor& t) {
  std::set<int64_t> out;
  torch::Tensor c = t.to(torch::kCPU).contiguous();
  for (int64_t i = 0; i < c.numel(); ++i)
    out.insert(c[i].item<int64_t>());
  return out;
}

TEST(Holdout, SplitIsAFixedPermutationsHead) {
  HoldoutSplit a = splitHoldout(1000, 100), b = splitHoldout(1000, 100);
  EXPECT_EQ(a.heldOut, b.heldOut);
  ASSERT_EQ(a.heldOut.size(), 100u);
  ASSERT_EQ(a.remaining.size(), 900u);
  std::set<int64_t> all(a.heldOut.begin(), a.heldOut.end());
  all.insert(a.remaining.begin(), a.remaining.end());
  EXPECT_EQ(all.size(), 1000u); // disjoint, and together the whole split
  EXPECT_EQ(*all.begin(), 0);
  EXPECT_EQ(*all.rbegin(), 999);
  EXPECT_TRUE(std::is_sorted(a.heldOut.begin(), a.heldOut.end()));
  EXPECT_NE(a.heldOut.back(), 99); // drawn from the whole split, not its head
  EXPECT_THROW(splitHoldout(10, 10), std::invalid_argument);
  EXPECT_THROW(splitHoldout(10, 0), std::invalid_argument);
}

TEST(Holdout, HeldOutExamplesAreTheSameForEverySeedAndNeverTrainedOn) {
  plan::Plan p = testing::tinyCnnPlan({.trainSize = 400});
  p.task.holdout = 112;
  torch::Tensor firstHeldOut;
  for (uint64_t seed : {0u, 7u}) {
    Dataset d = loadDataset(p.task, seed);
    ASSERT_EQ(d.holdout.size(), 112);
    ASSERT_EQ(d.train.size(), 400);
    if (!firstHeldOut.defined()) firstHeldOut = d.holdoutOrigin;
    EXPECT_TRUE(torch::equal(d.holdoutOrigin, firstHeldOut)) << "seed " << seed;
    const std::set<int64_t> heldOut = asSet(d.holdoutOrigin);
    BatchLoader loader(d.train, 32, seed);
    std::set<int64_t> trained;
    for (int64_t epoch = 0; epoch < 2; ++epoch) {
      loader.startEpoch(epoch);
      torch::Tensor x, y;
      while (loader.next(x, y))
        for (int64_t i : asSet(d.trainOrigin.index_select(0, loader.lastIndices())))
          trained.insert(i);
    }
    EXPECT_EQ(trained.size(), 400u);
    for (int64_t i : trained)
      EXPECT_EQ(heldOut.count(i), 0u) << "held-out example " << i << " in a training batch";
  }
}

TEST(Holdout, ASubsetIsTakenFromWhatRemains) {
  plan::Plan p = testing::tinyCnnPlan();
  p.task.dataset = "fashion_mnist";
  p.task.path = testing::kFashionMnistDir;
  p.task.trainSize = 1000;
  p.task.holdout = 5000;
  if (!fs::exists(p.task.path)) GTEST_SKIP() << "Fashion-MNIST is not installed";
  Dataset d = loadDataset(p.task, 0);
  EXPECT_EQ(d.train.size(), 1000);
  EXPECT_EQ(d.holdout.size(), 5000);
  HoldoutSplit s = splitHoldout(60000, 5000);
  torch::Tensor firstRemaining = torch::tensor(
      std::vector<int64_t>(s.remaining.begin(), s.remaining.begin() + 1000), torch::kInt64);
  EXPECT_TRUE(torch::equal(d.trainOrigin, firstRemaining));
}

TEST(Holdout, TooLargeForTheDataIsADataError) {
  plan::Plan p = testing::tinyCnnPlan();
  p.task.dataset = "fashion_mnist";
  p.task.path = testing::kFashionMnistDir;
  p.task.holdout = 60000;
  if (!fs::exists(p.task.path)) GTEST_SKIP() << "Fashion-MNIST is not installed";
  EXPECT_THROW(loadDataset(p.task, 0), DataError);
}

fs::path freshDir(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("fiver-holdout-" + name + std::to_string(getpid()));
  fs::remove_all(dir);
  return dir;
}

std::vector<nlohmann::json> records(const fs::path& metrics) {
  std::ifstream in(metrics);
  std::vector<nlohmann::json> out;
  for (std::string line; std::getline(in, line);)
    out.push_back(nlohmann::json::parse(line));
  return out;
}

TEST(Holdout, TheRunEvaluatesTheHoldoutAndTheTestSplitOnceAtTheEnd) {
  plan::Plan p = testing::tinyCnnPlan({.trainSize = 256, .batchSize = 32, .totalSteps = 24});
  p.task.holdout = 128;
  fs::path out = freshDir("run");
  TrainOptions o;
  o.outDir = out.string();
  o.threads = 1;
  o.quiet = true;
  TrainResult r = train(p, o);
  EXPECT_EQ(r.evalSplit, "holdout");
  EXPECT_EQ(r.epochs.size(), 3u);
  EXPECT_DOUBLE_EQ(r.holdoutAccuracy, r.epochs.back().accuracy);
  EXPECT_GT(r.testAccuracy, 0.0);
  int evals = 0, finals = 0;
  for (const nlohmann::json& rec : records(out / "metrics.jsonl")) {
    if (rec["event"] == "eval") {
      ++evals;
      EXPECT_TRUE(rec.contains("holdout_accuracy")) << rec.dump();
      EXPECT_FALSE(rec.contains("test_accuracy")) << rec.dump();
    }
    if (rec["event"] == "final_test") {
      ++finals;
      EXPECT_DOUBLE_EQ(rec["test_accuracy"].get<double>(), r.testAccuracy);
    }
  }
  EXPECT_EQ(evals, 3);
  EXPECT_EQ(finals, 1);

  // Without a holdout the test split is evaluated after each epoch, as before.
  p.task.holdout = 0;
  o.outDir.clear();
  TrainResult plain = train(p, o);
  EXPECT_EQ(plain.evalSplit, "test");
  EXPECT_DOUBLE_EQ(plain.testAccuracy, plain.epochs.back().accuracy);
  fs::remove_all(out);
}

TEST(Holdout, AResumedRunEndsWhereAnUninterruptedOneDoes) {
  plan::Plan p = testing::tinyCnnPlan({.trainSize = 256, .batchSize = 32, .totalSteps = 40});
  p.task.holdout = 96;
  fs::path split = freshDir("split"), whole = freshDir("whole");
  TrainOptions o;
  o.threads = 1;
  o.quiet = true;
  o.resume = true;
  o.outDir = split.string();
  o.maxSteps = 13;
  train(p, o);
  o.maxSteps = 0;
  TrainResult resumed = train(p, o);
  o.outDir = whole.string();
  o.resume = false;
  TrainResult straight = train(p, o);
  EXPECT_EQ(resumed.steps, 40);
  EXPECT_EQ(resumed.stepLosses.back(), straight.stepLosses.back());
  EXPECT_DOUBLE_EQ(resumed.holdoutAccuracy, straight.holdoutAccuracy);
  EXPECT_DOUBLE_EQ(resumed.testAccuracy, straight.testAccuracy);
  fs::remove_all(split);
  fs::remove_all(whole);
}

} // namespace
} // namespace fiver::runtime
