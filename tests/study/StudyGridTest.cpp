#include "compiler/study/StudyGrid.h"
#include "compiler/diag/Diagnostic.h"
#include "compiler/diag/SourceManager.h"
#include "compiler/sema/Check.h"
#include "compiler/study/PlanHash.h"

#include <gtest/gtest.h>

using namespace fiver;
using namespace fiver::study;

namespace {
CheckedStudy twoRecipeStudy() {
  CheckedStudy s;
  s.name = "s";
  s.recipes = {"base", "fast"};
  s.budgets = {{1, Unit::Epochs, {}}, {2, Unit::Epochs, {}}, {30, Unit::Steps, {}}};
  s.seeds = {0, 1};
  StudyBaseline smaller;
  smaller.kind = "smaller_model";
  smaller.args["width"] = Value::num(16, Unit::None, true);
  s.baselines = {{"epoch_count", {}, {}}, {"early_stop", {}, {}}, smaller};
  return s;
}
} // namespace

TEST(StudyGrid, EveryRecipeBudgetAndSeedPlusSmallerModel) {
  ModelSpec model;
  model.name = "small_cnn";
  model.args["width"] = Value::num(32, Unit::None, true);
  model.args["depth"] = Value::num(2, Unit::None, true);
  std::vector<RunSpec> runs = expandGrid(twoRecipeStudy(), model);
  ASSERT_EQ(runs.size(), 3u * 3 * 2); // base (epoch_count), fast, smaller_model
  EXPECT_EQ(runs[0].variant, "epoch_count");
  EXPECT_EQ(runs[0].overrides, (std::vector<std::string>{"budget 1 epochs", "seed 0"}));
  EXPECT_EQ(runs[6].recipe, "fast");
  EXPECT_EQ(runs[6].variant, "recipe");
  EXPECT_EQ(runs[5].budget, "30 steps");
  const RunSpec& small = runs.back();
  EXPECT_EQ(small.recipe, "base");
  EXPECT_EQ(small.variant, "smaller_model(width: 16)");
  EXPECT_EQ(small.overrides.back(), "model small_cnn(depth: 2, width: 16)");
}

TEST(StudyGrid, SeriesNames) {
  EXPECT_EQ(seriesName("fast", kRecipeVariant), "fast");
  EXPECT_EQ(seriesName("base", kEpochCount), "epoch_count");
}

TEST(PlanHash, FnvOfTheText) {
  EXPECT_EQ(fnv1aHex(""), "cbf29ce484222325");
  EXPECT_EQ(fnv1aHex("a"), "af63dc4c8601ec8c");
  EXPECT_EQ(fnv1aHex("foobar"), "85944171f73967e8"); // the FNV-1a 64 reference vector
  plan::Plan a, b;
  a.recipe = b.recipe = "r";
  EXPECT_EQ(planHash(a), planHash(b));
  b.training.seed = 1;
  EXPECT_NE(planHash(a), planHash(b));
}

// Verdicts need confidence intervals, and those need seeds: a study that
// names none runs three.
TEST(StudyGrid, AStudyWithoutSeedsRunsThree) {
  CheckRequest req;
  req.path = std::string(FIVER_TEST_SOURCE_DIR) + "/tests/study/no_seeds.5r";
  req.stdlibDir = std::string(FIVER_TEST_SOURCE_DIR) + "/stdlib";
  req.text = R"(recipe base {
  task fashion_mnist
  model small_cnn(width: 8)
  optimizer sgd(lr: 0.05)
  batch_size 64
  budget 30 steps
}
study s {
  recipes [base]
  budgets [10 steps, 20 steps, 30 steps]
  metric accuracy
}
)";
  SourceManager sm;
  DiagnosticEngine diags;
  std::optional<CheckedStudy> study = checkStudy(req, sm, diags);
  ASSERT_TRUE(study);
  EXPECT_FALSE(diags.hasErrors());
  EXPECT_EQ(study->seeds, (std::vector<uint64_t>{0, 1, 2}));
}
