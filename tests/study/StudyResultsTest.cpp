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
  RunRow r;
  r.recipe = std::move(recipe);
  r.variant = std::move(variant);
  r.budget = std::move(budget);
  r.seed = seed;
  r.planHash = "0123456789abcdef";
  r.trainSeconds = seconds;
  r.testAccuracy = accuracy;
  r.epochs = 1;
  r.steps = 10;
  return r;
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
  // The curve reading: fast @ 1 epoch has 82% in 6 s; the reference reaches
  // 82% at 11 + (1/5)*10 = 13 s.
  EXPECT_NEAR(a.speedups[0].curve[0].epsilon.value, 13.0 / 6.0, 1e-9);
  // Definition 2.1 at the same budget: 11 s against 6 s. With two seeds
  // Welch's interval (here at one degree of freedom) is ±12.7 standard errors
  // wide: even 1.8x is not significant.
  ASSERT_TRUE(a.speedups[0].definition[0]);
  const DefinitionSpeedup& d = a.speedups[0].definition[0]->speedup;
  EXPECT_NEAR(d.epsilon, 11.0 / 6.0, 1e-9);
  EXPECT_EQ(d.time, Change::NotSignificant);
  EXPECT_EQ(d.quality, Change::NotSignificant);
  EXPECT_EQ(a.speedups[0].verdict, Verdict::NotSignificant);
}

TEST(StudyResults, CsvHasAHeaderAndOneLinePerRow) {
  std::ostringstream os;
  writeResultsCsv(os, syntheticRows());
  std::string text = os.str();
  EXPECT_EQ(text.rfind("recipe,variant,budget,seed,plan_hash,train_seconds,test_accuracy,epochs,"
                       "steps,eval_split,holdout_accuracy,train_flops,parameters\n",
                       0),
            0u);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 9);
  // A run whose summary had no FLOP count leaves that cell empty.
  EXPECT_NE(text.find("fast,recipe,2 epochs,1,0123456789abcdef,12,0.88,1,10,test,,,0\n"),
            std::string::npos);
}

TEST(StudyResults, FlopsAndParametersStandBesideTime) {
  std::vector<RunRow> rows = syntheticRows();
  rows[0].trainFlops = 123456789012345.0;
  rows[0].parameters = 44138;
  std::ostringstream csv;
  writeResultsCsv(csv, rows);
  EXPECT_NE(csv.str().find("base,epoch_count,1 epochs,0,0123456789abcdef,10,0.8,1,10,test,,"
                           "123456789012345,44138\n"),
            std::string::npos)
      << csv.str();
  std::ostringstream json;
  writeResultsJson(json, rows);
  EXPECT_NE(json.str().find("\"train_flops\": 123456789012345.0"), std::string::npos) << json.str();
  EXPECT_NE(json.str().find("\"parameters\": 44138"), std::string::npos);
  EXPECT_NE(json.str().find("\"train_flops\": null"), std::string::npos);
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
  EXPECT_NE(
      csv.str().find("base,epoch_count,1 epochs,0,0123456789abcdef,10,,1,10,holdout,0.4,,0\n"),
      std::string::npos)
      << csv.str();
  std::ostringstream json;
  writeResultsJson(json, rows);
  EXPECT_NE(json.str().find("\"holdout_accuracy\": 0.4"), std::string::npos);
  EXPECT_NE(json.str().find("\"test_accuracy\": null"), std::string::npos);
}
