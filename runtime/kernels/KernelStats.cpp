#include "runtime/kernels/KernelStats.h"

#include <mutex>

namespace fiver::kernels {

namespace {

std::mutex statsMutex;

std::map<std::string, KernelStats>& stats() {
  static std::map<std::string, KernelStats> byBackend{{"cpu", {}}, {"cuda", {}}};
  return byBackend;
}

} // namespace

void recordKernel(const std::string& backend, const CacheResult& result) {
  std::lock_guard lock(statsMutex);
  KernelStats& s = stats()[backend];
  if (result.source == CacheResult::Source::Compiled) {
    ++s.compiled;
    s.compileSeconds += result.compileSeconds;
  } else {
    ++s.cacheHits;
  }
}

std::map<std::string, KernelStats> kernelStats() {
  std::lock_guard lock(statsMutex);
  return stats();
}

} // namespace fiver::kernels
