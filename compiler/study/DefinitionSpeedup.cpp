#include "compiler/study/DefinitionSpeedup.h"

#include "compiler/study/WelchInterval.h"

#include <limits>

namespace fiver::study {

namespace {
Change changeOf(const std::optional<Interval>& interval, double noChange) {
  if (!interval) return Change::NotSignificant;
  if (interval->low > noChange) return Change::Better;
  if (interval->high < noChange) return Change::Worse;
  return Change::NotSignificant;
}
} // namespace

DefinitionSpeedup definitionSpeedup(const SeriesPoint& recipe, const SeriesPoint& reference) {
  DefinitionSpeedup s;
  const double t = reference.meanTime, q = reference.meanQuality;
  s.epsilon = recipe.meanTime > 0 ? t / recipe.meanTime : 0;
  s.delta = q != 0 ? (recipe.meanQuality - q) / q : 0;

  // ε = T / (T + d) with d = T' − T: the larger d, the smaller ε.
  if (t > 0)
    if (std::optional<DifferenceInterval> d = welchInterval(recipe.times, reference.times)) {
      const double fastest = t + d->low;
      s.epsilonInterval = Interval{
          t / (t + d->high), fastest > 0 ? t / fastest : std::numeric_limits<double>::infinity()};
    }
  if (q != 0)
    if (std::optional<DifferenceInterval> d = welchInterval(recipe.qualities, reference.qualities))
      s.deltaInterval = Interval{d->low / q, d->high / q};

  s.time = changeOf(s.epsilonInterval, 1);
  s.quality = changeOf(s.deltaInterval, 0);
  s.verdict = verdictOf(s.time, s.quality);
  return s;
}

std::optional<size_t> sameBudgetPoint(const Series& reference, const SeriesPoint& point) {
  for (size_t i = 0; i < reference.points.size(); ++i)
    if (reference.points[i].budget == point.budget) return i;
  if (point.steps < 0) return std::nullopt;
  for (size_t i = 0; i < reference.points.size(); ++i)
    if (reference.points[i].steps == point.steps) return i;
  return std::nullopt;
}

} // namespace fiver::study
