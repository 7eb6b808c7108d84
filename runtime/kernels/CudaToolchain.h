// What every generated CUDA kernel needs, loaded once per process on first
// use: NVRTC, the driver API, the disk kernel cache and the modules already
// loaded. Where NVRTC or libcuda is missing, `available()` is false and
// `why()` says which; callers then fall back to LibTorch's own kernels.
#pragma once

#include "runtime/kernels/CudaLauncher.h"
#include "runtime/kernels/CudaSource.h"
#include "runtime/kernels/KernelCache.h"
#include "runtime/kernels/NvrtcCompiler.h"

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace fiver::kernels {

class CudaToolchain {
public:
  static CudaToolchain& instance();

  bool available() const { return nvrtc_ && driver_; }
  const std::string& why() const { return why_; }
  const CudaLauncher& driver() const { return *driver_; }
  // Held while compiling, loading and launching: the cache and the map of
  // loaded modules are shared by every thread.
  std::mutex& mutex() { return mutex_; }

  // The kernel identified by `id` (its expression, or its name when the
  // source is fixed) for element type `dtype` on the current device: loaded
  // once per process, compiled through the disk cache the first time, its
  // source made by `generate` only then. Needs available() and mutex() held.
  CudaLauncher::Kernel kernel(const std::string& id, const std::string& dtype,
                              const std::function<CudaKernelSource()>& generate);

private:
  CudaToolchain();
  std::optional<NvrtcCompiler> nvrtc_;
  std::optional<CudaLauncher> driver_;
  std::string why_;
  std::mutex mutex_;
  KernelCache cache_;
  std::map<std::string, CudaLauncher::Kernel> loaded_; // by cache key text
};

} // namespace fiver::kernels
