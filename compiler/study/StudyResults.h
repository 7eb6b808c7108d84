// A study's results: one row per run (or, for early_stop, per epoch read from
// the reference's longest run), and their mean ± std per operating point.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace fiver::study {

struct RunRow {
  std::string recipe;
  std::string variant;
  std::string budget;
  uint64_t seed = 0;
  std::string planHash;
  double trainSeconds = 0;
  // The test split's accuracy; NaN where it was not evaluated (an early_stop
  // row read from a run that evaluated its holdout after each epoch).
  double testAccuracy = 0;
  int64_t epochs = 0;
  int64_t steps = 0;
  // "holdout" when the recipes hold training examples out: the study then
  // compares holdoutAccuracy, and the test split is only reported.
  std::string evalSplit = "test";
  double holdoutAccuracy = 0;
  double quality() const { return evalSplit == "holdout" ? holdoutAccuracy : testAccuracy; }
};

// One operating point of one series: the runs at one budget over the seeds.
struct SeriesPoint {
  std::string series;
  std::string budget;
  size_t runs = 0;
  double meanTime = 0, stdTime = 0;
  double meanQuality = 0, stdQuality = 0;
};

struct Series {
  std::string name;
  std::string variant;
  std::vector<SeriesPoint> points; // in budget order
};

// Sample standard deviation (n - 1); 0 for fewer than two values.
double sampleStd(const std::vector<double>& values);
double mean(const std::vector<double>& values);

// Groups rows by series, then budget, keeping first-seen order.
std::vector<Series> aggregate(const std::vector<RunRow>& rows);

void writeResultsCsv(std::ostream& os, const std::vector<RunRow>& rows);
void writeResultsJson(std::ostream& os, const std::vector<RunRow>& rows);

} // namespace fiver::study
