// A run's FLOP rate and MFU against the machine's peak for the dtype it
// trains in (bf16 under mixed precision). Torch-free: tests give it FLOPs,
// seconds and a peak of their own.
#pragma once

#include "runtime/profile/Roofline.h"

#include <string>

namespace fiver::runtime {

struct Utilization {
  double achieved = 0; // FLOP/s over the training time
  double peak = 0;     // FLOP/s of the run's dtype; 0: unknown
  double mfu = 0;      // achieved / peak, never clamped; 0 without a peak
  std::string dtype;   // "fp32" or "bf16"
  std::string kernel;  // the kernel that set the peak
  bool peakTrusted = false;
};

Utilization utilization(double trainFlops, double trainSeconds, const Roofline* roof, bool bf16);

// ", MFU 41.3% of the bf16 peak" and, for a peak measured under load, why it
// may read high; "" without a peak.
std::string utilizationText(const Utilization& u, const std::string& untrustedReason);

} // namespace fiver::runtime
