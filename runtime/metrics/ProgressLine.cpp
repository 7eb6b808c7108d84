#include "runtime/metrics/ProgressLine.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace fiver::runtime {

std::optional<double> etaSeconds(int64_t step, int64_t totalSteps, double trainSeconds) {
  if (step <= 0 || trainSeconds <= 0) return std::nullopt;
  const int64_t left = std::max<int64_t>(0, totalSteps - step);
  return trainSeconds / static_cast<double>(step) * static_cast<double>(left);
}

std::string clockText(double seconds) {
  const long long s = std::llround(std::max(0.0, seconds));
  char buf[48];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%lld:%02lld", s / 60, s % 60);
  return buf;
}

std::string progressLine(const Progress& p) {
  char buf[256];
  std::snprintf(buf, sizeof buf, "epoch %lld/%lld  step %lld/%lld  loss %.4f",
                static_cast<long long>(p.epoch), static_cast<long long>(p.epochs),
                static_cast<long long>(p.step), static_cast<long long>(p.totalSteps), p.loss);
  std::string line = buf;
  if (p.lastAccuracy) {
    std::snprintf(buf, sizeof buf, "  %s acc %.2f%%", p.evalSplit.c_str(), *p.lastAccuracy * 100);
    line += buf;
  }
  std::snprintf(buf, sizeof buf, "  %.0f img/s", p.imagesPerSecond);
  line += buf;
  if (std::optional<double> eta = etaSeconds(p.step, p.totalSteps, p.trainSeconds))
    line += "  ETA " + clockText(*eta);
  return line;
}

} // namespace fiver::runtime
