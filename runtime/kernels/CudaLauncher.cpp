#include "runtime/kernels/CudaLauncher.h"

#include <dlfcn.h>

#include <algorithm>
#include <stdexcept>

namespace fiver::kernels {

namespace {

// The subset of cuda.h used here (driver API, stable ABI).
using InitFn = int (*)(unsigned);
using CtxGetCurrentFn = int (*)(void**);
using CtxGetDeviceFn = int (*)(int*);
using CtxSetCurrentFn = int (*)(void*);
using PrimaryCtxRetainFn = int (*)(void**, int);
using DeviceGetAttributeFn = int (*)(int*, int, int);
using ModuleLoadDataFn = int (*)(void**, const void*);
using ModuleGetFunctionFn = int (*)(void**, void*, const char*);
using LaunchKernelFn = int (*)(void*, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned,
                               unsigned, void*, void**, void**);
using GetErrorStringFn = int (*)(int, const char**);

constexpr int kAttrComputeCapabilityMajor = 75;
constexpr int kAttrComputeCapabilityMinor = 76;
constexpr int kAttrMultiprocessorCount = 16;
constexpr unsigned kThreads = 256;

template <typename F> F symbol(void* handle, const char* name) {
  void* p = dlsym(handle, name);
  if (!p) throw std::runtime_error(std::string("libcuda lacks ") + name);
  return reinterpret_cast<F>(p);
}

} // namespace

std::optional<CudaLauncher> CudaLauncher::load(std::string& why) {
  void* h = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    const char* err = dlerror();
    why = std::string("cannot load libcuda.so.1: ") + (err ? err : "not found");
    return std::nullopt;
  }
  CudaLauncher l;
  l.handle_ = h;
  int rc = symbol<InitFn>(h, "cuInit")(0);
  if (rc != 0) {
    why = "cuInit failed with error " + std::to_string(rc);
    return std::nullopt;
  }
  return l;
}

void CudaLauncher::check(int rc, const char* what) const {
  if (rc == 0) return;
  const char* text = nullptr;
  symbol<GetErrorStringFn>(handle_, "cuGetErrorString")(rc, &text);
  throw std::runtime_error(std::string(what) + ": " + (text ? text : std::to_string(rc)));
}

CudaLauncher::Kernel CudaLauncher::loadPtx(const std::string& ptx, const std::string& name) const {
  Kernel k;
  check(symbol<ModuleLoadDataFn>(handle_, "cuModuleLoadData")(&k.module, ptx.c_str()),
        "cuModuleLoadData");
  check(symbol<ModuleGetFunctionFn>(handle_, "cuModuleGetFunction")(&k.function, k.module,
                                                                    name.c_str()),
        "cuModuleGetFunction");
  return k;
}

int CudaLauncher::currentDevice() const {
  // LibTorch makes the device's primary context current on the threads it
  // runs CUDA work on; a thread it has not touched gets that context here.
  void* context = nullptr;
  check(symbol<CtxGetCurrentFn>(handle_, "cuCtxGetCurrent")(&context), "cuCtxGetCurrent");
  if (!context) {
    check(symbol<PrimaryCtxRetainFn>(handle_, "cuDevicePrimaryCtxRetain")(&context, 0),
          "cuDevicePrimaryCtxRetain");
    check(symbol<CtxSetCurrentFn>(handle_, "cuCtxSetCurrent")(context), "cuCtxSetCurrent");
  }
  int device = 0;
  check(symbol<CtxGetDeviceFn>(handle_, "cuCtxGetDevice")(&device), "cuCtxGetDevice");
  return device;
}

std::string CudaLauncher::deviceArch() const {
  int major = 0, minor = 0;
  const int device = currentDevice();
  auto attr = symbol<DeviceGetAttributeFn>(handle_, "cuDeviceGetAttribute");
  check(attr(&major, kAttrComputeCapabilityMajor, device), "cuDeviceGetAttribute");
  check(attr(&minor, kAttrComputeCapabilityMinor, device), "cuDeviceGetAttribute");
  return "sm_" + std::to_string(major) + std::to_string(minor);
}

void CudaLauncher::launch(const Kernel& kernel, int64_t n, void* stream,
                          std::vector<void*> args) const {
  int sms = 1;
  const int device = currentDevice();
  check(symbol<DeviceGetAttributeFn>(handle_, "cuDeviceGetAttribute")(
            &sms, kAttrMultiprocessorCount, device),
        "cuDeviceGetAttribute");
  // A few waves of blocks; the grid-stride loop covers the rest.
  int64_t needed = (n + kThreads * 4 - 1) / (kThreads * 4);
  unsigned blocks = static_cast<unsigned>(std::clamp<int64_t>(needed, 1, int64_t{sms} * 8));
  check(symbol<LaunchKernelFn>(handle_, "cuLaunchKernel")(kernel.function, blocks, 1, 1, kThreads,
                                                          1, 1, 0, stream, args.data(), nullptr),
        "cuLaunchKernel");
}

} // namespace fiver::kernels
