// A study's results: one row per run (or, for early_stop, per epoch read from
// the reference's longest run), and their mean ± std per operating point.
#pragma once

#include <cmath>
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
  // Work and size beside time, since time depends on the machine: the
  // training steps' FLOPs as 5rc-exec counted them (NaN where the run's
  // summary has none, as for an early_stop row read mid-run), and the
  // model's parameter count from the plan's cost model.
  double trainFlops = std::nan("");
  int64_t parameters = 0;
  double quality() const { return evalSplit == "holdout" ? holdoutAccuracy : testAccuracy; }
};

// One operating point of one series: the runs at one budget over the seeds.
struct SeriesPoint {
  std::string series;
  std::string budget;
  size_t runs = 0;
  double meanTime = 0, stdTime = 0;
  double meanQuality = 0, stdQuality = 0;
  std::vector<double> times, qualities; // one per run, for confidence intervals
  int64_t steps = -1;                   // the training steps of every run; -1 when they differ
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
// Reads what writeResultsCsv wrote, by column name, so a results.csv written
// before a column existed still reads (the column keeps its default).
// Returns false, with the line and reason in `error`, on a malformed file.
bool readResultsCsv(std::istream& is, std::vector<RunRow>& rows, std::string& error);
void writeResultsJson(std::ostream& os, const std::vector<RunRow>& rows);

} // namespace fiver::study
