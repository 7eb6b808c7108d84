// What a study's numbers say: the Pareto frontier over every series' mean
// points, and each series' (ε, δ)-speedup and verdict against the reference.
#pragma once

#include "compiler/study/Speedup.h"
#include "compiler/study/StudyResults.h"

#include <string>
#include <vector>

namespace fiver::study {

struct PointRef {
  size_t series = 0;
  size_t point = 0;
};

struct SeriesSpeedup {
  size_t series = 0;
  std::vector<PointSpeedup> points; // one per point of the series
  Verdict verdict = Verdict::Dominated;
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
