#include "compiler/study/StudyAnalysis.h"

#include "compiler/study/Pareto.h"

namespace fiver::study {

bool StudyAnalysis::onFrontier(size_t s, size_t p) const {
  for (const PointRef& r : frontier)
    if (r.series == s && r.point == p) return true;
  return false;
}

StudyAnalysis analyze(std::vector<Series> series, const std::string& referenceSeries) {
  StudyAnalysis a;
  a.series = std::move(series);

  std::vector<TimeQuality> all;
  std::vector<PointRef> where;
  for (size_t s = 0; s < a.series.size(); ++s)
    for (size_t p = 0; p < a.series[s].points.size(); ++p) {
      all.push_back({a.series[s].points[p].meanTime, a.series[s].points[p].meanQuality});
      where.push_back({s, p});
    }
  for (size_t i : paretoFrontier(all))
    a.frontier.push_back(where[i]);

  a.reference = a.series.size();
  for (size_t s = 0; s < a.series.size(); ++s)
    if (a.series[s].name == referenceSeries) a.reference = s;
  if (a.reference == a.series.size()) return a;

  std::vector<TimeQuality> referencePoints;
  for (const SeriesPoint& p : a.series[a.reference].points)
    referencePoints.push_back({p.meanTime, p.meanQuality});
  ReferenceCurve curve(referencePoints);
  const Series& ref = a.series[a.reference];
  for (size_t s = 0; s < a.series.size(); ++s) {
    if (s == a.reference) continue;
    SeriesSpeedup sp;
    sp.series = s;
    std::vector<Verdict> verdicts;
    for (const SeriesPoint& p : a.series[s].points) {
      sp.curve.push_back(speedupAt(curve, {p.meanTime, p.meanQuality}));
      std::optional<size_t> r = sameBudgetPoint(ref, p);
      if (!r) {
        sp.definition.push_back(std::nullopt);
        continue;
      }
      BudgetComparison c{*r, definitionSpeedup(p, ref.points[*r])};
      verdicts.push_back(c.speedup.verdict);
      sp.definition.push_back(c);
    }
    sp.verdict = seriesVerdict(verdicts);
    a.speedups.push_back(std::move(sp));
  }
  return a;
}

} // namespace fiver::study
