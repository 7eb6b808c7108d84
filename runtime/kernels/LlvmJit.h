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

  // For other generated kernels: `emit` fills a fresh module (data layout and
  // triple set) with a function named `name` (unique, from `prefix`); the
  // module is verified, optimized at O3 for the host and added to the JIT.
  // Returns the function's address; throws with LLVM's message on failure.
  using ModuleEmitter = std::function<void(llvm::Module& module, const std::string& name)>;
  void* compileModule(const std::string& prefix, const ModuleEmitter& emit);

  // Host CPU name and features, and the LLVM version: part of cache keys.
  std::string targetDescription() const;

private:
  struct State;
  std::unique_ptr<State> state_;
};

} // namespace fiver::kernels
