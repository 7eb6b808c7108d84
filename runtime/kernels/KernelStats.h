// Per-process counts of the kernels each backend obtained: compiled (cache
// misses) or taken from the kernel cache, and the time spent compiling. The
// run summary reports them, so a slow first run is explained and a warm
// cache is visible. Thread-safe.
#pragma once

#include "runtime/kernels/KernelCache.h"

#include <map>
#include <string>

namespace fiver::kernels {

struct KernelStats {
  int compiled = 0;  // cache misses
  int cacheHits = 0; // found on disk or already in memory
  double compileSeconds = 0;
};

// Counts one kernel of `backend` ("cpu", "cuda") as `result` obtained it.
void recordKernel(const std::string& backend, const CacheResult& result);

// By backend; "cpu" and "cuda" are always present.
std::map<std::string, KernelStats> kernelStats();

} // namespace fiver::kernels
