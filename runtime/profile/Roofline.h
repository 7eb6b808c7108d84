// This machine's roofline: the peak FLOP/s of the fastest kernels this
// LibTorch has, per dtype (matrix products and channels-last convolutions on
// oneDNN; the best of them is the peak), and STREAM-triad memory bandwidth,
// measured with the training thread count. MFU divides by this peak, so it
// is cached only when measured on an idle machine (runtime/profile/
// RooflineCache.h) and measured again when the CPU, the thread count or the
// libraries change. Torch-free: what it holds, not how it is measured.
#pragma once

#include <string>
#include <vector>

namespace fiver::runtime {

// What a roofline was measured on; a cached one counts only on the same.
struct MachineIdentity {
  std::string cpu;   // /proc/cpuinfo's model name
  int threads = 0;   // intra-op threads of the measurement
  std::string torch; // LibTorch version
  std::string blas;  // OpenBLAS's build configuration and the core its kernels are for
  bool operator==(const MachineIdentity& o) const {
    return cpu == o.cpu && threads == o.threads && torch == o.torch && blas == o.blas;
  }
  bool operator!=(const MachineIdentity& o) const { return !(*this == o); }
};

// One kernel's measurement: FLOP/s of its best repetition, and how steady
// the repetitions were (best time / median time; 1 is perfectly steady).
struct KernelPeak {
  std::string kernel; // "matmul 1024^3", "conv3x3 channels-last 32x128x28x28"
  std::string dtype;  // "fp32" or "bf16"
  double flops = 0;
  double steadiness = 0;
};

struct Roofline {
  double peakFlops = 0;     // FLOP/s, fp32: the fastest fp32 kernel
  double peakBf16Flops = 0; // FLOP/s, bf16: the peak of mixed-precision runs
  double bandwidth = 0;     // bytes/s, triad a = b + s c
  double bandwidthSteadiness = 0;
  std::string peakKernel, peakBf16Kernel;
  std::vector<KernelPeak> kernels; // every kernel measured

  // Provenance: when, on what, and how busy the machine was.
  MachineIdentity machine;
  std::string measuredAt;   // UTC, ISO 8601
  int cores = 0;            // online CPUs
  double loadAverage = 0;   // 1-minute load average as the measurement began
  double otherRunnable = 0; // other runnable tasks as it began (median of samples)
  // Taken on an idle machine with steady repetitions: the machine's peak.
  // Otherwise it is used for this run only, never cached, and `untrusted`
  // says why.
  bool trusted = false;
  std::string untrusted;
  bool fromCache = false;

  double balance() const { return bandwidth > 0 ? peakFlops / bandwidth : 0; } // FLOP/byte
  // The peak of the dtype a run trains in.
  double peakFor(bool bf16) const { return bf16 ? peakBf16Flops : peakFlops; }
  const std::string& kernelFor(bool bf16) const { return bf16 ? peakBf16Kernel : peakKernel; }
};

// This machine and process, as a roofline's cache key.
MachineIdentity currentMachine(int threads);
// Measures now (seconds of work), whatever the machine's load.
Roofline measureRoofline(int threads);
// The cached measurement for this machine and thread count; measured (and
// cached when trusted) when there is none or it was taken on another CPU,
// thread count or library. `remeasure` ignores the cache.
Roofline cachedRoofline(int threads, bool remeasure = false);

} // namespace fiver::runtime
