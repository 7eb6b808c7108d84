// CPU kernels for one multi-tensor optimizer step: LLVM IR generated from an
// optimizer's options, compiled by LlvmJit (O3, host CPU). One call walks the
// slice [begin, end) of the concatenation of a parameter group's tensors, so
// a thread pool can split a whole group into a few large chunks. Each element
// of param, grad and state is read once and param and state written once.
// The arithmetic follows torch::optim's order (multiply, then fused
// multiply-add where LibTorch's kernels use one), so results stay bit-close.
// Torch-free.
#pragma once

#include "runtime/kernels/FusedOptimizerSource.h"
#include "runtime/kernels/LlvmJit.h"

#include <cstdint>
#include <string>

namespace fiver::kernels {

// What a kernel is specialised for; options that are zero drop their terms.
struct CpuOptimizerSpec {
  FusedOptimizerKind kind = FusedOptimizerKind::Sgd;
  bool momentum = false;    // SGD: a momentum buffer
  bool nesterov = false;    // SGD with momentum
  bool weightDecay = false; // SGD: L2 added to the gradient; AdamW: decoupled

  // Tensors per parameter: param, grad, then state (momentum buffer, or
  // exp_avg and exp_avg_sq).
  int slots() const {
    if (kind == FusedOptimizerKind::AdamW) return 4;
    return momentum ? 3 : 2;
  }
  // e.g. "sgd momentum nesterov decay"
  std::string key() const {
    std::string k = kind == FusedOptimizerKind::AdamW ? "adamw" : "sgd";
    if (momentum) k += " momentum";
    if (nesterov) k += " nesterov";
    if (weightDecay) k += " decay";
    return k;
  }
};

// Tensor k of `count` is tensors[k * slots + s] for slot s, and covers
// [starts[k], starts[k + 1]) of the flat index space (starts has count + 1
// entries). perTensor[2k] and perTensor[2k + 1] and `scalars` hold:
//   SGD:   perTensor = {buffer scale: momentum (0 on the first step),
//                       gradient scale: 1 - dampening (1 on the first step)}
//          scalars   = {weight decay, momentum, -lr}
//   AdamW: perTensor = {-lr / (1 - beta1^step), sqrt(1 - beta2^step)}
//          scalars   = {1 - lr * weight decay, beta1, 1 - beta1, beta2, 1 - beta2, eps}
using CpuOptimizerFn = void (*)(float* const* tensors, const int64_t* starts,
                                const float* perTensor, const float* scalars, int64_t count,
                                int64_t begin, int64_t end);

// Throws with LLVM's message when compilation fails.
CpuOptimizerFn compileCpuOptimizer(LlvmJit& jit, const CpuOptimizerSpec& spec);

} // namespace fiver::kernels
