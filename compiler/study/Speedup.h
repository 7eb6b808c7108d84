// The (ε, δ)-speedup of Definition 2.1 of the survey, measured against a
// reference recipe's time-quality curve (its points at each budget):
//   ε = T / T'        T: the time the reference needs to reach the recipe's
//                     quality Q', read by linear interpolation on its curve;
//   δ = (Q' - Q) / Q  Q: the reference's quality at the recipe's time T'.
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

enum class Verdict { StrictlyBetter, TradeOff, Dominated };

// "strictly better": at no operating point worse than the reference, better at
// one; "dominated by epoch_count": better at none; "trade-off" otherwise.
// A point is better when δ > 0 (or, where δ is only a bound that says
// nothing, when ε > 1) and worse when δ < 0 (respectively ε < 1).
Verdict verdictOf(const std::vector<PointSpeedup>& points);
std::string verdictText(Verdict v);

} // namespace fiver::study
