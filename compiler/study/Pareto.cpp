#include "compiler/study/Pareto.h"

#include <algorithm>

namespace fiver::study {

bool dominates(const TimeQuality& a, const TimeQuality& b) {
  bool noWorse = a.time <= b.time && a.quality >= b.quality;
  bool better = a.time < b.time || a.quality > b.quality;
  return noWorse && better;
}

std::vector<size_t> paretoFrontier(const std::vector<TimeQuality>& points) {
  std::vector<size_t> frontier;
  for (size_t i = 0; i < points.size(); ++i) {
    bool kept = true;
    for (size_t j = 0; j < points.size() && kept; ++j) {
      if (j == i) continue;
      bool duplicateSeenFirst =
          j < i && points[j].time == points[i].time && points[j].quality == points[i].quality;
      if (dominates(points[j], points[i]) || duplicateSeenFirst) kept = false;
    }
    if (kept) frontier.push_back(i);
  }
  std::stable_sort(frontier.begin(), frontier.end(),
                   [&](size_t a, size_t b) { return points[a].time < points[b].time; });
  return frontier;
}

} // namespace fiver::study
