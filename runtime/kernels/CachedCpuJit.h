// CPU kernels through the kernel cache: object code from LlvmJit is stored
// in KernelCache under (expression and arity, "cpu", "fp32", host CPU name,
// features and vector library, LLVM version), so a later process loads it
// instead of compiling. Each kernel is loaded into the JIT once. Torch-free.
#pragma once

#include "runtime/kernels/KernelCache.h"
#include "runtime/kernels/LlvmJit.h"

#include <filesystem>
#include <map>
#include <mutex>
#include <string>

namespace fiver::kernels {

class CachedCpuJit {
public:
  // Throws when the host target cannot be set up (see LlvmJit).
  explicit CachedCpuJit(std::filesystem::path directory = KernelCache::defaultDirectory());

  struct Kernel {
    CpuKernelFn fn = nullptr;
    // How this call got it: Memory when this object had already loaded it.
    CacheResult::Source source = CacheResult::Source::Memory;
    double compileSeconds = 0;
    std::string note; // a rejected cache entry, if one was
  };

  // Throws with LLVM's message if compilation fails. Counts each kernel's
  // first request in kernelStats() under "cpu".
  Kernel get(const Node& expr, int inputs, int params);

  KernelKey keyFor(const Node& expr, int inputs, int params) const;
  const KernelCache& cache() const { return cache_; }

private:
  LlvmJit jit_;
  KernelCache cache_;
  std::string target_; // jit_.hostTarget(), computed once
  std::mutex mutex_;
  std::map<std::string, CpuKernelFn> loaded_; // by expression and arity
};

} // namespace fiver::kernels
