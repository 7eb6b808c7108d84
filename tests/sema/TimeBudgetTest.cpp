// Wall-clock budgets: `budget 10 min` given alongside a step budget lowers to
// the plan's time limit while the schedule stays fitted to the step budget.
#include "tests/support/CompileText.h"

#include <gtest/gtest.h>

using namespace fiver;

namespace {
const char* kBothBudgets = "recipe timed {\n"
                           "  task fashion_mnist\n"
                           "  model small_cnn(width: 8)\n"
                           "  budget 2 epochs\n"
                           "  budget 10 min\n"
                           "}\n";
} // namespace

TEST(TimeBudget, LowersToTheTimeLimitAndKeepsTheStepBudget) {
  DiagnosticEngine diags;
  std::optional<plan::Plan> timed = test::compileText(kBothBudgets, diags);
  ASSERT_TRUE(timed) << diags.errorCount();
  DiagnosticEngine again;
  std::optional<plan::Plan> untimed =
      test::compileText(test::recipeWith("", "small_cnn(width: 8)"), again);
  ASSERT_TRUE(untimed);
  EXPECT_DOUBLE_EQ(timed->training.timeLimitSeconds, 600.0);
  EXPECT_DOUBLE_EQ(untimed->training.timeLimitSeconds, 0.0);
  EXPECT_EQ(timed->training.totalSteps, untimed->training.totalSteps);
}

TEST(TimeBudget, OrderDoesNotMatterAndSecondsWork) {
  test::CheckOutcome out = test::checkText("recipe timed {\n"
                                           "  task fashion_mnist\n"
                                           "  model small_cnn(width: 8)\n"
                                           "  budget 90 s\n"
                                           "  budget 300 steps\n"
                                           "}\n");
  ASSERT_TRUE(out.recipe) << out.rendered();
  ASSERT_TRUE(out.recipe->timeLimit);
  EXPECT_DOUBLE_EQ(out.recipe->timeLimit->amount, 90.0);
  EXPECT_EQ(out.recipe->budget.unit, Unit::Steps);
}

TEST(TimeBudget, AnOverrideReplacesOnlyTheTimeLimit) {
  SourceManager sources;
  DiagnosticEngine diags;
  CheckRequest req;
  req.path = "timed.5r";
  req.text = kBothBudgets;
  req.stdlibDir = test::stdlibDir();
  req.overrides = {"budget 30 s"};
  std::optional<CheckedRecipe> r = checkRecipe(req, sources, diags);
  ASSERT_TRUE(r);
  ASSERT_TRUE(r->timeLimit);
  EXPECT_DOUBLE_EQ(r->timeLimit->amount, 30.0);
  EXPECT_EQ(r->budget.unit, Unit::Epochs);
  EXPECT_DOUBLE_EQ(r->budget.amount, 2.0);
}

TEST(TimeBudget, AloneItIsE0501AtItsValue) {
  test::CheckOutcome out = test::checkText("recipe timed {\n"
                                           "  task fashion_mnist\n"
                                           "  model small_cnn(width: 8)\n"
                                           "  budget 90 s\n"
                                           "}\n");
  const Diagnostic* d = out.first(DiagId::UnsupportedBudget);
  ASSERT_NE(d, nullptr) << out.rendered();
  EXPECT_EQ(d->range.begin.line, 4u);
  EXPECT_EQ(d->range.begin.column, 10u);
  EXPECT_EQ(out.diags.errorCount(), 1u) << out.rendered();
}
