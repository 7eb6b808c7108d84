#include "tests/support/CompileText.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

using namespace fiver;
using namespace fiver::test;

namespace {
plan::Plan fastPlan() {
  std::ifstream in(sourceDir() + "/recipes/fmnist/baseline.5r");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  text += "recipe f extends fmnist_baseline {\n"
          "  reorder training_data dynamic domain progressive_resize(until: 50%)\n"
          "  reorder model_parameters dynamic domain layer_freezing\n"
          "  retrofit model_parameters dynamic domain ema(half_life: 1 epochs)\n}\n";
  DiagnosticEngine diags;
  auto p = compileText(text, diags);
  EXPECT_TRUE(p.has_value());
  return *p;
}
} // namespace

TEST(Plan, LoweringResolvesUnits) {
  plan::Plan p = fastPlan();
  EXPECT_EQ(p.training.stepsPerEpoch, 469); // 60000 / 128, rounded up
  EXPECT_EQ(p.training.totalSteps, 12 * 469);
  EXPECT_EQ(p.findMethod("progressive_resize")->params.at("until").number, 0.5);
  EXPECT_EQ(p.findMethod("ema")->params.at("half_life").number, 469); // 1 epoch in steps
  EXPECT_EQ(p.optimizer.params.at("nesterov").number, 1);
  EXPECT_EQ(p.schedule.params.at("warmup").number, 0.2);
  EXPECT_EQ(p.ops[0].kind, "input");
  EXPECT_FALSE(p.resolution.empty());
  EXPECT_EQ(p.passes, (std::vector<std::string>{"layer_freezing", "channels_last",
                                                "mixed_precision", "progressive_resolution"}));
}

TEST(Plan, YamlRoundTripsExactly) {
  plan::Plan p = fastPlan();
  std::string text = plan::planToString(p);
  plan::Plan back = plan::parsePlan(text, "mem.yaml");
  EXPECT_EQ(back, p);
  EXPECT_EQ(plan::planToString(back), text);
}

TEST(Plan, CompilingTwiceGivesIdenticalText) {
  EXPECT_EQ(plan::planToString(fastPlan()), plan::planToString(fastPlan()));
}

TEST(Plan, MalformedPlansNameTheFileAndLine) {
  std::string good = plan::planToString(fastPlan());
  auto expectError = [](const std::string& text, const std::string& needle) {
    try {
      plan::parsePlan(text, "bad.yaml");
      ADD_FAILURE() << "accepted: " << needle;
    } catch (const plan::PlanError& e) {
      std::string what = e.what();
      EXPECT_EQ(what.rfind("bad.yaml", 0), 0u) << what;
      EXPECT_NE(what.find(needle), std::string::npos) << what;
    }
  };
  expectError("version: [1\n", "bad.yaml:");
  expectError("version: 2\n", "not supported");
  std::string noTask = good;
  noTask.replace(noTask.find("task:"), 5, "tusk:");
  expectError(noTask, "missing 'task'");
  std::string badInput = good;
  badInput.replace(badInput.find("inputs: [0]"), 11, "inputs: [9]");
  expectError(badInput, "not before it");
  std::string badType = good;
  badType.replace(badType.find("batch_size: 128"), 15, "batch_size: lots");
  expectError(badType, "training.batch_size");
}

TEST(Plan, ReadPlanFromDisk) {
  std::string path = testing::TempDir() + "/plan.yaml";
  std::ofstream(path) << plan::planToString(fastPlan());
  EXPECT_EQ(plan::readPlan(path).recipe, "f");
  EXPECT_THROW(plan::readPlan(path + ".missing"), plan::PlanError);
}
