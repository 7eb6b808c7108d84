// What a study's numbers say: the Pareto frontier over every series' mean
// points, and for each series against the reference, at each budget, the
// (ε, δ)-speedup of the survey's Definition 2.1 with confidence intervals and
// a significance-aware verdict, beside FiveR's reading against the
// reference's whole curve.
#pragma once

#include "compiler/study/CurveSpeedup.h"
#include "compiler/study/DefinitionSpeedup.h"
#include "compiler/study/StudyResults.h"
#include "compiler/study/Verdict.h"

#include <optional>
#include <string>
#include <vector>

namespace fiver::study {

struct PointRef {
  size_t series = 0;
  size_t point = 0;
};

// A series point against the reference's run at the same budget.
struct BudgetComparison {
  size_t referencePoint = 0; // index into the reference series' points
  DefinitionSpeedup speedup;
};

struct SeriesSpeedup {
  size_t series = 0;
  // Per point of the series: Definition 2.1 against the reference at the
  // same budget (none where the reference has no run there) ...
  std::vector<std::optional<BudgetComparison>> definition;
  // ... and FiveR's curve reading.
  std::vector<PointSpeedup> curve;
  Verdict verdict = Verdict::NotSignificant; // over the compared budgets
};

struct StudyAnalysis {
  std::vector<Series> series;
  size_t reference = 0;                // index of the reference series in `series`
  std::vector<PointRef> frontier;      // by increasing time
  std::vector<SeriesSpeedup> speedups; // every series but the reference

  bool onFrontier(size_t series, size_t point) const;
};

// `referenceSeries` names the series the speedups are measured against; when
// no series has that name the analysis has no speedups.
StudyAnalysis analyze(std::vector<Series> series, const std::string& referenceSeries);

} // namespace fiver::study
