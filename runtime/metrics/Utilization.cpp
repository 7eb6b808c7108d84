#include "runtime/metrics/Utilization.h"

#include "runtime/metrics/FlopCounter.h"

#include <cstdio>

namespace fiver::runtime {

Utilization utilization(double trainFlops, double trainSeconds, const Roofline* roof, bool bf16) {
  Utilization u;
  u.achieved = flopsPerSecond(trainFlops, trainSeconds);
  u.dtype = bf16 ? "bf16" : "fp32";
  if (!roof) return u;
  u.peak = roof->peakFor(bf16);
  u.kernel = roof->kernelFor(bf16);
  u.peakTrusted = roof->trusted;
  u.mfu = modelFlopsUtilization(u.achieved, u.peak);
  return u;
}

std::string utilizationText(const Utilization& u, const std::string& untrustedReason) {
  if (u.peak <= 0) return "";
  char buf[160];
  std::snprintf(buf, sizeof buf, ", MFU %.1f%% of the %s peak", u.mfu * 100, u.dtype.c_str());
  std::string text = buf;
  if (!u.peakTrusted)
    text +=
        " (peak measured under load and not cached, so MFU may read high: " + untrustedReason + ")";
  return text;
}

} // namespace fiver::runtime
