// A short plan-driven training run on a Fashion-MNIST subset: the loss falls,
// and the run writes its metrics.
#include "runtime/train/Trainer.h"
#include "tests/runtime/TestPlans.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <numeric>

namespace fiver::runtime {
namespace {

double meanOf(std::vector<double>::const_iterator first, std::vector<double>::const_iterator last) {
  return std::accumulate(first, last, 0.0) / static_cast<double>(last - first);
}

TEST(TrainSmokeTest, LossFallsOnFashionMnistSubset) {
  testing::TinyPlanOptions o;
  o.dataset = "fashion_mnist";
  o.trainSize = 512;
  o.testSize = 1000;
  o.batchSize = 32;
  o.totalSteps = 20;
  plan::Plan p = testing::tinyCnnPlan(o);
  p.augment = {{"crop", {{"padding", plan::Scalar::num(2)}}},
               {"flip", {{"p", plan::Scalar::num(0.5)}}}};

  std::filesystem::path out = std::filesystem::temp_directory_path() / "fiver-smoke";
  std::filesystem::remove_all(out);
  TrainOptions options;
  options.outDir = out.string();
  options.quiet = true;
  TrainResult r = train(p, options);

  ASSERT_EQ(r.steps, 20);
  ASSERT_EQ(r.stepLosses.size(), 20u);
  double first = meanOf(r.stepLosses.begin(), r.stepLosses.begin() + 5);
  double last = meanOf(r.stepLosses.end() - 5, r.stepLosses.end());
  EXPECT_LT(last, first) << "first five steps " << first << ", last five " << last;
  EXPECT_GT(r.testAccuracy, 0.2); // ten classes: chance is 0.1
  EXPECT_GT(r.trainSeconds, 0);

  std::ifstream metrics(out / "metrics.jsonl");
  std::string line;
  int lines = 0;
  while (std::getline(metrics, line))
    ++lines;
  EXPECT_GE(lines, 2); // at least one train record and one eval per epoch
  std::filesystem::remove_all(out);
}

TEST(TrainSmokeTest, UnknownMethodListsTheKnownOnes) {
  plan::Plan p = testing::tinyCnnPlan();
  testing::addMethod(p, "time_travel");
  try {
    Trainer trainer(p, TrainOptions{});
    FAIL() << "expected an error";
  } catch (const std::exception& e) {
    std::string message = e.what();
    EXPECT_NE(message.find("time_travel"), std::string::npos) << message;
    for (const char* known :
         {"progressive_resize", "label_smoothing", "ema", "layer_freezing", "channels_last"})
      EXPECT_NE(message.find(known), std::string::npos) << message;
  }
}

TEST(TrainSmokeTest, MaxStepsStopsEarly) {
  plan::Plan p = testing::tinyCnnPlan();
  TrainOptions options;
  options.maxSteps = 3;
  options.quiet = true;
  EXPECT_EQ(train(p, options).steps, 3);
}

} // namespace
} // namespace fiver::runtime

namespace fiver::runtime {
namespace {

TEST(TrainSmokeTest, TimeLimitStopsTrainingAndStillEvaluates) {
  plan::Plan p = testing::tinyCnnPlan({.totalSteps = 100000});
  p.training.timeLimitSeconds = 1.0;
  TrainOptions options;
  options.quiet = true;
  TrainResult r = train(p, options);
  EXPECT_LT(r.steps, 100000);
  EXPECT_GE(r.trainSeconds, 1.0);
  EXPECT_GT(r.testAccuracy, 0.0);
}

} // namespace
} // namespace fiver::runtime
