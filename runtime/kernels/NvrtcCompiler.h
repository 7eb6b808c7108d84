// Compiles generated CUDA source to PTX with NVRTC, loaded with dlopen so
// binaries build and run on machines without the CUDA toolkit or a GPU.
#pragma once

#include <optional>
#include <string>

namespace fiver::kernels {

class NvrtcCompiler {
public:
  // nullopt with `why` set when libnvrtc cannot be loaded.
  static std::optional<NvrtcCompiler> load(std::string& why);

  // PTX for `arch` (e.g. "compute_90"); throws with NVRTC's log on failure.
  std::string compileToPtx(const std::string& source, const std::string& name,
                           const std::string& arch) const;
  // NVRTC's version, part of kernel cache keys.
  std::string version() const;

private:
  void* handle_ = nullptr;
};

} // namespace fiver::kernels
