#include "compiler/study/StudyResults.h"
#include "compiler/study/StudyAnalysis.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <sstream>

using namespace fiver::study;

namespace {
RunRow row(std::string recipe, std::string variant, std::string budget, uint64_t seed,
           double seconds, double accuracy) {
  return RunRow{std::move(recipe),
                std::move(variant),
                std::move(budget),
                seed,
                "0123456789abcdef",
                seconds,
                accuracy,
                1,
                10,
                "test",
                0};
}

std::vector<RunRow> syntheticRows() {
  return {
      row("base", "epoch_count", "1 epochs", 0, 10, 0.80),
      row("base", "epoch_count", "1 epochs", 1, 12, 0.82),
      row("base", "epoch_count", "2 epochs", 0, 20, 0.85),
      row("base", "epoch_count", "2 epochs", 1, 22, 0.87),
      row("fast", "recipe", "1 epochs", 0, 6, 0.81),
      row("fast", "recipe", "1 epochs", 1, 6, 0.83),
      row("fast", "recipe", "2 epochs", 0, 12, 0.86),
      row("fast", "recipe", "2 epochs", 1, 12, 0.88),
  };
}
} // namespace

TEST(StudyResults, MeanAndSampleStd) {
  EXPECT_DOUBLE_EQ(mean({1, 2, 3}), 2);
  EXPECT_DOUBLE_EQ(sampleStd({1, 2, 3}), 1);
  EXPECT_DOUBLE_EQ(sampleStd({5}), 0);
}

TEST(StudyResults, AggregatesBySeriesAndBudget) {
  std::vector<Series> s = aggregate(syntheticRows());
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].name, "epoch_count");
  EXPECT_EQ(s[1].name, "fast");
  ASSERT_EQ(s[0].points.size(), 2u);
  EXPECT_EQ(s[0].points[0].runs, 2u);
  EXPECT_DOUBLE_EQ(s[0].points[0].meanTime, 11);
  EXPECT_NEAR(s[0].points[0].meanQuality, 0.81, 1e-12);
  EXPECT_NEAR(s[0].points[0].stdQuality, std::sqrt(2 * 0.01 * 0.01), 1e-12);
}

TEST(StudyResults, AnalysisFindsFrontierSpeedupsAndVerdicts) {
  StudyAnalysis a = analyze(aggregate(syntheticRows()), "epoch_count");
  ASSERT_EQ(a.reference, 0u);
  // fast dominates every reference point: the frontier is fast's two points.
  ASSERT_EQ(a.frontier.size(), 2u);
  EXPECT_EQ(a.frontier[0].series, 1u);
  EXPECT_TRUE(a.onFrontier(1, 1));
  ASSERT_EQ(a.speedups.size(), 1u);
  EXPECT_EQ(a.speedups[0].verdict, Verdict::StrictlyBetter);
  // fast @ 1 epoch: 82% in 6 s; the reference reaches 82% at 11 + (1/5)*10 = 13 s.
  EXPECT_NEAR(a.speedups[0].points[0].epsilon.value, 13.0 / 6.0, 1e-9);
}

TEST(StudyResults, CsvHasAHeaderAndOneLinePerRow) {
  std::ostringstream os;
  writeResultsCsv(os, syntheticRows());
  std::string text = os.str();
  EXPECT_EQ(text.rfind("recipe,variant,budget,seed,plan_hash,train_seconds,test_accuracy,epochs,"
                       "steps,eval_split,holdout_accuracy\n",
                       0),
            0u);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 9);
  EXPECT_NE(text.find("fast,recipe,2 epochs,1,0123456789abcdef,12,0.88,1,10,test,\n"),
            std::string::npos);
}

// Recipes with a holdout are compared on it; the test split is only listed,
// and an early_stop row (read after an epoch) has none.
TEST(StudyResults, AHoldoutIsTheQualityCompared) {
  std::vector<RunRow> rows = syntheticRows();
  for (RunRow& r : rows) {
    r.evalSplit = "holdout";
    r.holdoutAccuracy = r.testAccuracy / 2;
  }
  rows[0].testAccuracy = std::nan("");
  std::vector<Series> series = aggregate(rows);
  ASSERT_FALSE(series.empty());
  EXPECT_NEAR(series[0].points[0].meanQuality, 0.405, 1e-12); // (0.40 + 0.41) / 2
  std::ostringstream csv;
  writeResultsCsv(csv, rows);
  EXPECT_NE(csv.str().find("base,epoch_count,1 epochs,0,0123456789abcdef,10,,1,10,holdout,0.4\n"),
            std::string::npos)
      << csv.str();
  std::ostringstream json;
  writeResultsJson(json, rows);
  EXPECT_NE(json.str().find("\"holdout_accuracy\": 0.4"), std::string::npos);
  EXPECT_NE(json.str().find("\"test_accuracy\": null"), std::string::npos);
}
