// The Pareto frontier of (time, quality) points: the points no other point
// beats on both axes at once. Less time and more quality are better.
#pragma once

#include <cstddef>
#include <vector>

namespace fiver::study {

struct TimeQuality {
  double time = 0;
  double quality = 0;
};

// True when `a` is at least as good as `b` on both axes and better on one.
bool dominates(const TimeQuality& a, const TimeQuality& b);

// Indices of the non-dominated points, ordered by increasing time. Of exact
// duplicates only the first is kept, so the frontier never repeats a point.
std::vector<size_t> paretoFrontier(const std::vector<TimeQuality>& points);

} // namespace fiver::study
