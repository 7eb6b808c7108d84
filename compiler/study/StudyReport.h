// report.md: the study's table (mean ± std per point), its Pareto frontier,
// each series' (ε, δ)-speedup against the reference at each budget (the
// survey's Definition 2.1 with confidence intervals, beside FiveR's curve
// reading) and a significance-aware verdict per series.
#pragma once

#include "compiler/study/Environment.h"
#include "compiler/study/StudyAnalysis.h"

#include <cstdint>
#include <iosfwd>
#include <string>

namespace fiver::study {

struct ReportContext {
  std::string studyName;
  std::string file;
  std::string metric;
  std::string metricSplit = "test"; // "holdout" when the recipes hold examples out
  int64_t holdout = 0;              // how many
  std::string reference;            // the reference series
  std::string earlyStopNote;        // how early_stop was read, empty when absent
  Environment environment;
  size_t runsExecuted = 0, runsReused = 0;
  // Non-zero when the report was re-read from this many rows of results.csv
  // (5rc study --from-results) rather than written after training.
  size_t reanalyzedRows = 0;
  // Whether results.csv has FLOP counts (one read from an older study has none).
  bool resultsHaveFlops = true;
};

void writeReport(std::ostream& os, const StudyAnalysis& analysis, const ReportContext& context);

} // namespace fiver::study
