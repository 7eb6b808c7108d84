#include "runtime/BlasCoreType.h"

#include <dlfcn.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace fiver::runtime {

bool cpuRunsSkylakeXKernels() {
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd") &&
         __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
         __builtin_cpu_supports("avx512vl");
#else
  return false;
#endif
}

std::string preferredOpenBlasCoreType(const std::string& detectedCore, bool cpuRunsSkylakeX) {
  if (detectedCore.empty() || !cpuRunsSkylakeX) return "";
  std::string core = detectedCore;
  std::transform(core.begin(), core.end(), core.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  // Cores whose kernels already use AVX-512.
  for (const char* avx512 : {"skylakex", "cooperlake", "sapphirerapids"})
    if (core == avx512) return "";
  return "SkylakeX";
}

namespace {
// Looked up at run time: a LibTorch built with another BLAS has no OpenBLAS.
std::string openBlasCoreName() {
  using CoreName = char* (*)();
  auto corename = reinterpret_cast<CoreName>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
  const char* name = corename ? corename() : nullptr;
  return name ? name : "";
}
} // namespace

std::string openBlasDescription() {
  using Text = char* (*)();
  auto config = reinterpret_cast<Text>(dlsym(RTLD_DEFAULT, "openblas_get_config"));
  const std::string core = openBlasCoreName();
  if (!config && core.empty()) return "no OpenBLAS";
  const char* text = config ? config() : nullptr;
  std::string description = text ? text : "OpenBLAS ?";
  if (description.rfind("OpenBLAS", 0) != 0) description = "OpenBLAS " + description;
  return description + ", core " + (core.empty() ? "?" : core);
}

void chooseOpenBlasCoreType(char** argv) {
  if (std::getenv("OPENBLAS_CORETYPE")) return; // the user's (or our earlier) choice
  if (const char* keep = std::getenv("FIVER_OPENBLAS_CORETYPE");
      keep && std::string(keep) == "keep")
    return;
  const std::string core = preferredOpenBlasCoreType(openBlasCoreName(), cpuRunsSkylakeXKernels());
  if (core.empty()) return;
  setenv("OPENBLAS_CORETYPE", core.c_str(), 1);
  execv("/proc/self/exe", argv);
  unsetenv("OPENBLAS_CORETYPE"); // exec failed: go on with the library's choice
}

} // namespace fiver::runtime
