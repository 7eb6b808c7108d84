#include "compiler/study/DefinitionSpeedup.h"
#include "compiler/study/StudyAnalysis.h"

#include <gtest/gtest.h>

using namespace fiver::study;

namespace {
SeriesPoint point(std::string budget, std::vector<double> times, std::vector<double> qualities,
                  int64_t steps = -1) {
  SeriesPoint p;
  p.budget = std::move(budget);
  p.runs = times.size();
  p.meanTime = mean(times);
  p.stdTime = sampleStd(times);
  p.meanQuality = mean(qualities);
  p.stdQuality = sampleStd(qualities);
  p.times = std::move(times);
  p.qualities = std::move(qualities);
  p.steps = steps;
  return p;
}

RunRow run(std::string recipe, std::string variant, std::string budget, uint64_t seed,
           double seconds, double accuracy) {
  RunRow r;
  r.recipe = std::move(recipe);
  r.variant = std::move(variant);
  r.budget = std::move(budget);
  r.seed = seed;
  r.trainSeconds = seconds;
  r.testAccuracy = accuracy;
  return r;
}
} // namespace

TEST(DefinitionSpeedup, EpsilonAndDeltaOfTheMeans) {
  DefinitionSpeedup s = definitionSpeedup(point("4 epochs", {10, 11, 12}, {0.90, 0.91, 0.92}),
                                          point("4 epochs", {20, 22, 24}, {0.88, 0.89, 0.90}));
  EXPECT_DOUBLE_EQ(s.epsilon, 2.0);
  EXPECT_NEAR(s.delta, 0.02 / 0.89, 1e-12);
  ASSERT_TRUE(s.epsilonInterval && s.deltaInterval);
  EXPECT_LT(s.epsilonInterval->low, s.epsilon);
  EXPECT_GT(s.epsilonInterval->high, s.epsilon);
}

// Twice as fast at the same budget and less accurate beyond the noise: the
// survey's (ε > 1, δ < 0).
TEST(DefinitionSpeedup, FasterButLessAccurateIsATradeOff) {
  DefinitionSpeedup s =
      definitionSpeedup(point("4 epochs", {12.0, 12.1, 12.2}, {0.9060, 0.9065, 0.9070}),
                        point("4 epochs", {22.0, 22.8, 23.5}, {0.9140, 0.9145, 0.9150}));
  EXPECT_NEAR(s.epsilon, 22.7667 / 12.1, 1e-3);
  EXPECT_NEAR(s.delta, -0.0080 / 0.9145, 1e-9);
  EXPECT_EQ(s.time, Change::Better);
  EXPECT_EQ(s.quality, Change::Worse);
  EXPECT_EQ(s.verdict, Verdict::TradeOff);
  EXPECT_GT(s.epsilonInterval->low, 1);
  EXPECT_LT(s.deltaInterval->high, 0);
}

TEST(DefinitionSpeedup, OverlappingIntervalsAreNotSignificant) {
  // Means 3% faster and 0.1% more accurate, within each side's seed scatter.
  DefinitionSpeedup s =
      definitionSpeedup(point("2 epochs", {10.0, 11.5, 9.6}, {0.899, 0.903, 0.901}),
                        point("2 epochs", {11.0, 9.8, 10.9}, {0.902, 0.897, 0.899}));
  EXPECT_GT(s.epsilon, 1);
  EXPECT_GT(s.delta, 0);
  EXPECT_LT(s.epsilonInterval->low, 1);
  EXPECT_GT(s.epsilonInterval->high, 1);
  EXPECT_EQ(s.time, Change::NotSignificant);
  EXPECT_EQ(s.quality, Change::NotSignificant);
  EXPECT_EQ(s.verdict, Verdict::NotSignificant);
}

TEST(DefinitionSpeedup, FasterAtTheSameQualityIsBetter) {
  DefinitionSpeedup s =
      definitionSpeedup(point("2 epochs", {8.0, 8.1, 8.2}, {0.900, 0.902, 0.901}),
                        point("2 epochs", {11.0, 11.2, 11.1}, {0.899, 0.903, 0.900}));
  EXPECT_EQ(s.time, Change::Better);
  EXPECT_EQ(s.quality, Change::NotSignificant);
  EXPECT_EQ(s.verdict, Verdict::Better);
}

TEST(DefinitionSpeedup, OneSeedIsNeverSignificant) {
  DefinitionSpeedup s =
      definitionSpeedup(point("2 epochs", {5}, {0.95}), point("2 epochs", {10}, {0.90}));
  EXPECT_DOUBLE_EQ(s.epsilon, 2);
  EXPECT_FALSE(s.epsilonInterval);
  EXPECT_FALSE(s.deltaInterval);
  EXPECT_EQ(s.verdict, Verdict::NotSignificant);
}

TEST(DefinitionSpeedup, EarlyStopIsComparedAtTheSameSteps) {
  Series reference{
      "epoch_count",
      "epoch_count",
      {point("2 epochs", {1, 2}, {0.8, 0.8}, 938), point("4 epochs", {3, 4}, {0.9, 0.9}, 1876)}};
  EXPECT_EQ(sameBudgetPoint(reference, point("4 epochs", {1, 2}, {0.8, 0.8})), 1u);
  EXPECT_EQ(sameBudgetPoint(reference, point("epoch 2", {1, 2}, {0.8, 0.8}, 938)), 0u);
  EXPECT_FALSE(sameBudgetPoint(reference, point("epoch 3", {1, 2}, {0.8, 0.8}, 1407)));
}

TEST(Verdict, SeriesVerdictOverBudgets) {
  EXPECT_EQ(seriesVerdict({Verdict::Better, Verdict::NotSignificant}), Verdict::Better);
  EXPECT_EQ(seriesVerdict({Verdict::Better, Verdict::Worse}), Verdict::TradeOff);
  EXPECT_EQ(seriesVerdict({Verdict::NotSignificant, Verdict::TradeOff}), Verdict::TradeOff);
  EXPECT_EQ(seriesVerdict({Verdict::Worse, Verdict::Worse}), Verdict::Worse);
  EXPECT_EQ(seriesVerdict({}), Verdict::NotSignificant);
  EXPECT_EQ(verdictText(Verdict::NotSignificant), "not significant");
}

// A recipe above the reference's curve but below its run at the same budget:
// the curve reading calls it better, Definition 2.1 a trade-off.
TEST(DefinitionSpeedup, TheCurveReadingHidesATradeOffTheDefinitionShows) {
  std::vector<RunRow> rows;
  const double refTime[3][3] = {{11.0, 11.2, 11.4}, {22.0, 22.8, 23.5}, {45.5, 46.3, 47.1}};
  const double refAcc[3][3] = {
      {0.8995, 0.9002, 0.9009}, {0.9140, 0.9145, 0.9150}, {0.9213, 0.9219, 0.9225}};
  const double hotTime[3][3] = {{6.0, 6.1, 6.2}, {12.0, 12.1, 12.2}, {24.0, 24.3, 24.6}};
  const double hotAcc[3][3] = {
      {0.8800, 0.8806, 0.8812}, {0.9060, 0.9065, 0.9070}, {0.9160, 0.9166, 0.9172}};
  const char* budgets[3] = {"2 epochs", "4 epochs", "8 epochs"};
  for (int b = 0; b < 3; ++b)
    for (int s = 0; s < 3; ++s) {
      rows.push_back(run("base", "epoch_count", budgets[b], s, refTime[b][s], refAcc[b][s]));
      rows.push_back(run("hot", "recipe", budgets[b], s, hotTime[b][s], hotAcc[b][s]));
    }
  StudyAnalysis a = analyze(aggregate(rows), "epoch_count");
  ASSERT_EQ(a.speedups.size(), 1u);
  const SeriesSpeedup& hot = a.speedups[0];
  ASSERT_TRUE(hot.definition[1]);
  const DefinitionSpeedup& at4 = hot.definition[1]->speedup;
  EXPECT_NEAR(at4.epsilon, 1.88, 0.01);
  EXPECT_NEAR(at4.delta * 100, -0.87, 0.01);
  EXPECT_EQ(at4.verdict, Verdict::TradeOff);
  EXPECT_EQ(hot.verdict, Verdict::TradeOff);
  // On the curve, 90.65% at 12.1 s lies above the reference (≈ 90.1% then).
  EXPECT_GT(hot.curve[1].delta.value, 0);
  EXPECT_GT(hot.curve[1].epsilon.value, 1);
}
