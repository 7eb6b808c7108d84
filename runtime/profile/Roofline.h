// This machine's roofline for `5rc profile`: peak matrix-multiply FLOP/s and
// STREAM-triad memory bandwidth, measured with the training thread count and
// cached (in $XDG_CACHE_HOME/fiver or ~/.cache/fiver) since they do not change.
#pragma once

#include <string>

namespace fiver::runtime {

struct Roofline {
  double peakFlops = 0;     // FLOP/s, fp32 GEMM
  double bandwidth = 0;     // bytes/s, triad a = b + s c
  double peakBf16Flops = 0; // FLOP/s, bf16 GEMM: the peak of mixed-precision runs
  double balance() const { return bandwidth > 0 ? peakFlops / bandwidth : 0; } // FLOP/byte
};

Roofline measureRoofline();
// The cached measurement for this thread count, measured on first use.
Roofline cachedRoofline(int threads);

} // namespace fiver::runtime
