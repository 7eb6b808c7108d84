// Loads PTX and launches fused kernels through the CUDA driver API.
// libcuda.so.1 is opened with dlopen, so binaries run on machines without a
// GPU; there `load` reports why and callers fall back to eager evaluation.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace fiver::kernels {

class CudaLauncher {
public:
  static std::optional<CudaLauncher> load(std::string& why);

  // A loaded kernel function (CUfunction).
  struct Kernel {
    void* module = nullptr;
    void* function = nullptr;
  };
  Kernel loadPtx(const std::string& ptx, const std::string& name) const;

  // Launches `kernel` with a grid-stride grid for `n` elements on `stream`
  // (a CUstream; nullptr is the default stream). `args` are the addresses
  // of the kernel's arguments, in order.
  void launch(const Kernel& kernel, int64_t n, void* stream, std::vector<void*> args) const;

  // "sm_90" for the current device: the NVRTC target.
  std::string deviceArch() const;

private:
  int currentDevice() const;
  void check(int rc, const char* what) const;
  void* handle_ = nullptr;
};

} // namespace fiver::kernels
