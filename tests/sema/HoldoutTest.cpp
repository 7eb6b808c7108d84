// `holdout N`: checked against the task's training split, and counted out of
// the training examples before train_subset.
#include "tests/support/CompileText.h"

#include <gtest/gtest.h>

using namespace fiver;
using namespace fiver::test;

TEST(Holdout, IsReadAsAWholeNumber) {
  auto out = checkText(recipeWith("  holdout 5000\n"));
  ASSERT_TRUE(out.recipe) << out.rendered();
  EXPECT_EQ(out.recipe->holdout, 5000);
  EXPECT_EQ(out.recipe->holdoutWhere.begin.line, 5u);
  EXPECT_FALSE(out.diags.hasErrors()) << out.rendered();

  auto none = checkText(recipeWith(""));
  ASSERT_TRUE(none.recipe);
  EXPECT_EQ(none.recipe->holdout, 0);
}

TEST(Holdout, ZeroOrNegativeOrFractionalIsE0208AtTheValue) {
  for (const char* value : {"0", "-5", "12.5", "5000 steps"}) {
    auto out = checkText(recipeWith(std::string("  holdout ") + value + "\n"));
    const Diagnostic* d = out.first(DiagId::SettingType);
    ASSERT_NE(d, nullptr) << value << "\n" << out.rendered();
    EXPECT_EQ(d->range.begin.line, 5u);
    EXPECT_EQ(d->range.begin.column, 11u) << out.rendered();
    EXPECT_NE(d->message.find("'holdout' must be a whole number of at least 1"), std::string::npos);
  }
}

TEST(Holdout, AsLargeAsTheTrainingSplitIsE0209) {
  for (const char* value : {"60000", "70000"}) {
    auto out = checkText(recipeWith(std::string("  holdout ") + value + "\n"));
    const Diagnostic* d = out.first(DiagId::HoldoutTooLarge);
    ASSERT_NE(d, nullptr) << out.rendered();
    EXPECT_EQ(d->range.begin.line, 5u);
    EXPECT_EQ(d->range.begin.column, 11u);
    EXPECT_NE(d->message.find("task 'fashion_mnist' has 60000"), std::string::npos) << d->message;
    ASSERT_FALSE(d->notes.empty());
  }
  auto fits = checkText(recipeWith("  holdout 59999\n"));
  EXPECT_FALSE(fits.has(DiagId::HoldoutTooLarge)) << fits.rendered();
}

TEST(Holdout, ACommandLineSetAddsOne) {
  CheckRequest req;
  req.path = sourceDir() + "/recipes/fmnist/fast.5r";
  req.stdlibDir = stdlibDir();
  req.overrides = {"holdout 5000"}; // what `--set holdout=5000` becomes
  SourceManager sm;
  DiagnosticEngine diags;
  auto r = checkRecipe(req, sm, diags);
  ASSERT_TRUE(r);
  EXPECT_FALSE(diags.hasErrors());
  EXPECT_EQ(r->holdout, 5000);
  ASSERT_FALSE(r->provenance.empty());
  EXPECT_NE(r->provenance.back().find("holdout 5000"), std::string::npos);
}

TEST(Holdout, TrainingStepsCountWhatTheHoldoutLeaves) {
  DiagnosticEngine diags;
  auto plain = compileText(recipeWith("  batch_size 1000\n  holdout 5000\n"), diags);
  ASSERT_TRUE(plain) << diags.diagnostics().size();
  EXPECT_EQ(plain->task.holdout, 5000);
  EXPECT_EQ(plain->task.trainSize, 55000);
  EXPECT_EQ(plain->training.stepsPerEpoch, 55);
  EXPECT_EQ(plain->training.totalSteps, 110); // 2 epochs

  // train_subset is taken from the examples that remain.
  auto subset = compileText(recipeWith("  holdout 5000\n  train_subset 1000\n"), diags);
  ASSERT_TRUE(subset);
  EXPECT_EQ(subset->task.trainSize, 1000);
  EXPECT_EQ(subset->task.holdout, 5000);
  auto large = compileText(recipeWith("  holdout 5000\n  train_subset 58000\n"), diags);
  ASSERT_TRUE(large);
  EXPECT_EQ(large->task.trainSize, 55000);
}
