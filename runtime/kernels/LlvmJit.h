// CPU kernels for fused expressions: LLVM IR built from the expression IR,
// optimized at O3 for the host CPU (its vector width and FMA), compiled in
// process with ORC LLJIT. Torch-free; CpuFusedKernel runs the result over
// LibTorch tensors on the intra-op thread pool.
#pragma once

#include "runtime/kernels/Expr.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace llvm {
class Module;
}

namespace fiver::kernels {

// Computes out[i] for i in [begin, end) over fp32 data; parameter k is read
// as params[k][(i / inner) % channels].
using CpuKernelFn = void (*)(float* out, const float* const* inputs, const float* const* params,
                             int64_t begin, int64_t end, int64_t channels, int64_t inner);

class LlvmJit {
public:
  // Throws when the host target cannot be set up.
  LlvmJit();
  ~LlvmJit();
  LlvmJit(const LlvmJit&) = delete;
  LlvmJit& operator=(const LlvmJit&) = delete;

  // Throws with LLVM's message if compilation fails.
  CpuKernelFn compile(const Node& expr, int inputs, int params);

  // The two halves of compile(), so that object code can be cached: an ELF
  // object defining the kernel as `name`, and loading one into this JIT. A
  // name may be loaded once per JIT.
  std::string compileObject(const Node& expr, int inputs, int params, const std::string& name);
  CpuKernelFn loadObject(const std::string& object, const std::string& name);
  // For other generated kernels: `emit` fills a fresh module (data layout and
  // triple set) with a function named `name` (unique, from `prefix`); the
  // module is verified, optimized at O3 for the host and added to the JIT.
  // Returns the function's address; throws with LLVM's message on failure.
  using ModuleEmitter = std::function<void(llvm::Module& module, const std::string& name)>;
  void* compileModule(const std::string& prefix, const ModuleEmitter& emit);

  // Host CPU name and features, and the LLVM version: part of cache keys.
  std::string targetDescription() const;
  // Host CPU name, features and vector math library: what the code depends on.
  std::string hostTarget() const;
  static std::string compilerVersion(); // "llvm-14.0.6 fiver-cpu-4"

private:
  // Builds `name` with `emit`, verifies it, optimizes it at O3 for the host
  // and returns its ELF object code.
  std::string objectCode(const std::string& name, const ModuleEmitter& emit);
  void* loadSymbol(const std::string& object, const std::string& name);

  struct State;
  std::unique_ptr<State> state_;
};

} // namespace fiver::kernels
