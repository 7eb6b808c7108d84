// FiveR's own reading of a speedup, not the survey's: the recipe's point
// against the reference's whole time-quality curve (its mean points at each
// budget), rather than against one run of it (DefinitionSpeedup.h):
//   ε = T / T'        T: the time the reference needs to reach the recipe's
//                     quality Q', read by linear interpolation on its curve;
//   δ = (Q' - Q) / Q  Q: the reference's quality at the recipe's time T'.
// It says whether a point lies above or below the curve: on a rising curve
// ε > 1 comes with δ > 0, so it never shows a trade-off at one point.
// Outside the reference's measured range a value is only a bound: a recipe
// more accurate than the reference ever got has ε ≥ T_max / T'.
#pragma once

#include "compiler/study/Pareto.h"

#include <optional>
#include <string>
#include <vector>

namespace fiver::study {

enum class Bound { Exact, AtLeast, AtMost };

struct BoundedValue {
  double value = 0;
  Bound bound = Bound::Exact;
};

// "1.52", "≥ 1.52", "≤ 0.80" with the given number of decimals.
std::string formatBounded(const BoundedValue& v, int decimals, bool percent = false);

// The reference curve: points sorted by time.
class ReferenceCurve {
public:
  explicit ReferenceCurve(std::vector<TimeQuality> points);

  // The earliest time the curve reaches `quality`; bounds outside its range.
  BoundedValue timeToReach(double quality) const;
  // The curve's quality at `time`; bounds outside its time range.
  BoundedValue qualityAt(double time) const;

  const std::vector<TimeQuality>& points() const { return points_; }

private:
  std::vector<TimeQuality> points_;
};

struct PointSpeedup {
  BoundedValue epsilon; // T / T'
  BoundedValue delta;   // (Q' - Q) / Q
};

PointSpeedup speedupAt(const ReferenceCurve& reference, const TimeQuality& recipe);

} // namespace fiver::study
