// The startup timeline: which steps are timed on their own, marks kept once,
// and a training run's marks in the order a run passes them.
#include "runtime/metrics/StartupTimeline.h"
#include "runtime/train/Trainer.h"
#include "tests/runtime/TestPlans.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace fiver::runtime {
namespace {

TEST(StartupTimeline, WatchesTheFirstStepsAndEachNewShape) {
  resetStartupTimeline();
  for (int64_t step = 0; step < 3; ++step) {
    ASSERT_TRUE(watchesStep("8x1x16x16")) << step;
    recordWatchedStep(step, "8x1x16x16", 0.5);
  }
  EXPECT_FALSE(watchesStep("8x1x16x16"));
  EXPECT_TRUE(watchesStep("8x1x20x20")); // progressive resizing's next size
  recordWatchedStep(4, "8x1x20x20", 2.0);
  EXPECT_FALSE(watchesStep("8x1x20x20"));
  EXPECT_TRUE(watchesStep("3x1x20x20")); // the epoch's short last batch
  const StartupReport report = startupReport();
  ASSERT_EQ(report.steps.size(), 4u);
  EXPECT_TRUE(report.steps[0].newShape);
  EXPECT_FALSE(report.steps[1].newShape);
  EXPECT_TRUE(report.steps[3].newShape);
  const std::string text = startupText(report, 0.25, 10.0, 20);
  EXPECT_NE(text.find("first step 0.500 s"), std::string::npos) << text;
  EXPECT_NE(text.find("first steps at 2 shapes 2.500 s in all"), std::string::npos) << text;
  EXPECT_NE(text.find("first epoch 10.00 s (5.00 s at the later steps' rate)"), std::string::npos)
      << text;
}

TEST(StartupTimeline, AMarkIsKeptOnce) {
  resetStartupTimeline();
  markStartup("first_epoch_trained");
  const double first = startupReport().marks.at(0).seconds;
  markStartup("first_epoch_trained");
  ASSERT_EQ(startupReport().marks.size(), 1u);
  EXPECT_EQ(startupReport().marks[0].seconds, first);
  const nlohmann::json json = startupJson(startupReport());
  EXPECT_EQ(json["marks"]["first_epoch_trained"].get<double>(), first);
  EXPECT_TRUE(json["watched_steps"].empty());
}

TEST(StartupTimeline, ATrainingRunMarksItsPhasesInOrder) {
  resetStartupTimeline();
  plan::Plan p = testing::tinyCnnPlan({.totalSteps = 32}); // two epochs of 16 steps
  TrainOptions o;
  o.threads = 1;
  o.quiet = true;
  train(p, o);
  const StartupReport report = startupReport();
  std::vector<std::string> names;
  double last = -1;
  for (const StartupMark& m : report.marks) {
    names.push_back(m.name);
    EXPECT_GE(m.seconds, last) << m.name;
    last = m.seconds;
  }
  EXPECT_EQ(names, (std::vector<std::string>{"data_ready", "model_ready", "training_starts",
                                             "first_step_done", "first_epoch_trained"}));
  ASSERT_GE(report.steps.size(), 3u);
  EXPECT_EQ(report.steps[0].step, 0);
  EXPECT_TRUE(report.steps[0].newShape);
  EXPECT_GT(report.steps[0].seconds, 0);
}

} // namespace
} // namespace fiver::runtime
