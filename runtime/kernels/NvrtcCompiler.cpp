#include "runtime/kernels/NvrtcCompiler.h"

#include <dlfcn.h>

#include <stdexcept>
#include <vector>

namespace fiver::kernels {

namespace {

// The subset of nvrtc.h used here; the ABI is stable across CUDA releases.
using Program = void*;
using CreateFn = int (*)(Program*, const char*, const char*, int, const char* const*,
                         const char* const*);
using CompileFn = int (*)(Program, int, const char* const*);
using SizeFn = int (*)(Program, size_t*);
using GetFn = int (*)(Program, char*);
using DestroyFn = int (*)(Program*);
using VersionFn = int (*)(int*, int*);
using ErrorFn = const char* (*)(int);

template <typename F> F symbol(void* handle, const char* name) {
  void* p = dlsym(handle, name);
  if (!p) throw std::runtime_error(std::string("libnvrtc lacks ") + name);
  return reinterpret_cast<F>(p);
}

} // namespace

std::optional<NvrtcCompiler> NvrtcCompiler::load(std::string& why) {
  for (const char* name :
       {"libnvrtc.so", "libnvrtc.so.13", "libnvrtc.so.12", "/usr/local/cuda/lib64/libnvrtc.so"}) {
    if (void* h = dlopen(name, RTLD_NOW | RTLD_LOCAL)) {
      NvrtcCompiler c;
      c.handle_ = h;
      return c;
    }
  }
  const char* err = dlerror();
  why = std::string("cannot load libnvrtc: ") + (err ? err : "not found");
  return std::nullopt;
}

std::string NvrtcCompiler::compileToPtx(const std::string& source, const std::string& name,
                                        const std::string& arch) const {
  auto create = symbol<CreateFn>(handle_, "nvrtcCreateProgram");
  auto compile = symbol<CompileFn>(handle_, "nvrtcCompileProgram");
  auto logSize = symbol<SizeFn>(handle_, "nvrtcGetProgramLogSize");
  auto getLog = symbol<GetFn>(handle_, "nvrtcGetProgramLog");
  auto ptxSize = symbol<SizeFn>(handle_, "nvrtcGetPTXSize");
  auto getPtx = symbol<GetFn>(handle_, "nvrtcGetPTX");
  auto destroy = symbol<DestroyFn>(handle_, "nvrtcDestroyProgram");
  auto error = symbol<ErrorFn>(handle_, "nvrtcGetErrorString");

  Program prog = nullptr;
  int rc = create(&prog, source.c_str(), (name + ".cu").c_str(), 0, nullptr, nullptr);
  if (rc != 0) throw std::runtime_error(std::string("nvrtcCreateProgram: ") + error(rc));
  std::string archFlag = "--gpu-architecture=" + arch;
  std::vector<const char*> options{archFlag.c_str(), "--std=c++17", "-use_fast_math"};
  rc = compile(prog, static_cast<int>(options.size()), options.data());
  size_t size = 0;
  if (rc != 0) {
    logSize(prog, &size);
    std::string log(size, '\0');
    getLog(prog, log.data());
    destroy(&prog);
    throw std::runtime_error(std::string("NVRTC failed (") + error(rc) + "):\n" + log);
  }
  ptxSize(prog, &size);
  std::string ptx(size, '\0');
  getPtx(prog, ptx.data());
  destroy(&prog);
  if (!ptx.empty() && ptx.back() == '\0') ptx.pop_back();
  return ptx;
}

std::string NvrtcCompiler::version() const {
  int major = 0, minor = 0;
  symbol<VersionFn>(handle_, "nvrtcVersion")(&major, &minor);
  return "nvrtc-" + std::to_string(major) + "." + std::to_string(minor);
}

} // namespace fiver::kernels
