#include "runtime/kernels/CudaToolchain.h"

#include "runtime/kernels/KernelStats.h"

#include <cstdio>

namespace fiver::kernels {

CudaToolchain& CudaToolchain::instance() {
  static CudaToolchain toolchain;
  return toolchain;
}

CudaToolchain::CudaToolchain() {
  nvrtc_ = NvrtcCompiler::load(why_);
  if (nvrtc_) driver_ = CudaLauncher::load(why_);
}

CudaLauncher::Kernel CudaToolchain::kernel(const std::string& id, const std::string& dtype,
                                           const std::function<CudaKernelSource()>& generate) {
  KernelKey key{id, "cuda", dtype, driver_->deviceArch(), nvrtc_->version()};
  auto it = loaded_.find(key.text());
  if (it != loaded_.end()) return it->second;
  const CudaKernelSource src = generate();
  // NVRTC emits PTX for the virtual architecture; the driver finishes it for the device.
  const std::string arch = "compute_" + key.target.substr(3);
  CacheResult ptx =
      cache_.getOrCompile(key, [&] { return nvrtc_->compileToPtx(src.source, src.name, arch); });
  if (!ptx.note.empty()) std::fprintf(stderr, "warning: %s\n", ptx.note.c_str());
  recordKernel("cuda", ptx);
  return loaded_.emplace(key.text(), driver_->loadPtx(ptx.binary, src.name)).first->second;
}

} // namespace fiver::kernels
