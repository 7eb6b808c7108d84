#include "compiler/study/CurveSpeedup.h"

#include <algorithm>
#include <cstdio>

namespace fiver::study {

std::string formatBounded(const BoundedValue& v, int decimals, bool percent) {
  char buf[64];
  double x = percent ? v.value * 100 : v.value;
  std::snprintf(buf, sizeof buf, percent ? "%+.*f%%" : "%.*f", decimals, x);
  switch (v.bound) {
  case Bound::AtLeast:
    return std::string("≥ ") + buf;
  case Bound::AtMost:
    return std::string("≤ ") + buf;
  case Bound::Exact:
    break;
  }
  return buf;
}

ReferenceCurve::ReferenceCurve(std::vector<TimeQuality> points) : points_(std::move(points)) {
  std::stable_sort(points_.begin(), points_.end(),
                   [](const TimeQuality& a, const TimeQuality& b) { return a.time < b.time; });
}

BoundedValue ReferenceCurve::timeToReach(double quality) const {
  if (points_.empty()) return {0, Bound::AtLeast};
  if (quality <= points_.front().quality) return {points_.front().time, Bound::AtMost};
  // The first segment that crosses `quality`: a noisy curve may dip later.
  for (size_t i = 1; i < points_.size(); ++i) {
    const TimeQuality& a = points_[i - 1];
    const TimeQuality& b = points_[i];
    if (b.quality >= quality) {
      if (b.quality == a.quality) return {b.time, Bound::Exact};
      double f = (quality - a.quality) / (b.quality - a.quality);
      return {a.time + f * (b.time - a.time), Bound::Exact};
    }
  }
  // Never reached: more than the longest run took, if it ever gets there.
  return {points_.back().time, Bound::AtLeast};
}

BoundedValue ReferenceCurve::qualityAt(double time) const {
  if (points_.empty()) return {0, Bound::AtMost};
  // Before its first point the reference had trained less: at most as good
  // (training curves rise). After its last, at least as good as it got.
  if (time < points_.front().time) return {points_.front().quality, Bound::AtMost};
  if (time > points_.back().time) return {points_.back().quality, Bound::AtLeast};
  for (size_t i = 1; i < points_.size(); ++i) {
    const TimeQuality& a = points_[i - 1];
    const TimeQuality& b = points_[i];
    if (time <= b.time) {
      if (b.time == a.time) return {b.quality, Bound::Exact};
      double f = (time - a.time) / (b.time - a.time);
      return {a.quality + f * (b.quality - a.quality), Bound::Exact};
    }
  }
  return {points_.back().quality, Bound::Exact};
}

namespace {
// A bound on a denominator flips the bound on the ratio.
Bound flipped(Bound b) {
  if (b == Bound::AtLeast) return Bound::AtMost;
  if (b == Bound::AtMost) return Bound::AtLeast;
  return Bound::Exact;
}
} // namespace

PointSpeedup speedupAt(const ReferenceCurve& reference, const TimeQuality& recipe) {
  PointSpeedup s;
  BoundedValue t = reference.timeToReach(recipe.quality);
  s.epsilon = {recipe.time > 0 ? t.value / recipe.time : 0, t.bound};
  BoundedValue q = reference.qualityAt(recipe.time);
  s.delta = {q.value != 0 ? (recipe.quality - q.value) / q.value : 0, flipped(q.bound)};
  return s;
}

} // namespace fiver::study
