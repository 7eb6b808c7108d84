#include "compiler/study/StudyReport.h"

#include <gtest/gtest.h>

#include <sstream>

using namespace fiver::study;

namespace {
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

std::string reportOf(const std::vector<RunRow>& rows) {
  ReportContext c;
  c.studyName = "s";
  c.metric = "accuracy";
  c.reference = "epoch_count (base)";
  std::ostringstream os;
  writeReport(os, analyze(aggregate(rows), "epoch_count"), c);
  return os.str();
}
} // namespace

// Twice as fast and 0.9% less accurate at each budget: the table shows the
// definition's pair with its intervals and the curve reading apart, and the
// verdict names the trade-off.
TEST(StudyReport, ShowsTheDefinitionPairBesideTheCurveReading) {
  std::vector<RunRow> rows;
  const char* budgets[3] = {"2 epochs", "4 epochs", "8 epochs"};
  for (int b = 0; b < 3; ++b)
    for (int s = 0; s < 3; ++s) {
      const double scale = 1 << b;
      rows.push_back(
          run("base", "epoch_count", budgets[b], s, 11 * scale + s, 0.90 + 0.01 * b + 0.0005 * s));
      rows.push_back(run("fast", "recipe", budgets[b], s, 5.5 * scale + 0.1 * s,
                         0.892 + 0.01 * b + 0.0005 * s));
    }
  std::string text = reportOf(rows);
  // Against its own budget's run: 2.07x as fast, 0.88% less accurate; on the
  // curve the same point lies above the reference (1.28, ≥ +0.22%).
  EXPECT_NE(text.find("| fast | 4 epochs | 4 epochs | 2.07 | [1.70, 2.66] | -0.88% | "
                      "[-1.00%, -0.75%] | trade-off | 1.28 | ≥ +0.22% |"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("FiveR's curve reading"), std::string::npos);
  EXPECT_NE(text.find("- **fast**: trade-off (2 epochs: trade-off; 4 epochs: trade-off; 8 "
                      "epochs: trade-off)"),
            std::string::npos)
      << text;
}

// A δ interval whose low end is +0.002%: significant, and not printed as
// "+0.00%", which would read as touching no change.
TEST(StudyReport, AnIntervalEndNearNoChangeGetsMoreDecimals) {
  std::vector<RunRow> rows;
  const double base[3] = {0.9000, 0.9002, 0.9004}, recipe[3] = {0.9004734, 0.9006734, 0.9008734};
  for (const char* budget : {"1 epochs", "2 epochs", "3 epochs"})
    for (int s = 0; s < 3; ++s) {
      rows.push_back(run("base", "epoch_count", budget, s, 10 + s, base[s]));
      rows.push_back(run("fast", "recipe", budget, s, 10 + s, recipe[s]));
    }
  std::string text = reportOf(rows);
  // The difference 0.04734% is 0.002% more than the interval's half width
  // t(0.975, 4) · √(2 · 0.0002² / 3) = 0.04534%; relative to 0.9002:
  EXPECT_NE(text.find("| +0.05% | [+0.002%, +0.10%] | better |"), std::string::npos) << text;
  EXPECT_EQ(text.find("[+0.00%"), std::string::npos) << text;
}
