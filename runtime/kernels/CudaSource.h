// CUDA C++ source for a fused expression. Identifiers are generated (in0,
// p0, v0, ...); no text from the plan reaches the source except numbers
// printed by the generator. One thread handles four elements per step with
// vectorized loads when every tensor is 16-byte aligned and the length is a
// multiple of four, and the grid strides over the rest.
#pragma once

#include "runtime/kernels/Expr.h"

#include <string>

namespace fiver::kernels {

enum class ElementType { Fp32, Bf16, Fp16 };

struct CudaKernelSource {
  std::string name;   // the __global__ function, extern "C"
  std::string source; // complete translation unit, no includes
};

// Kernel signature: (out, in0..in{inputs-1}, p0..p{params-1}, n, channels,
// inner, vectorized). A parameter element is p[(i / inner) % channels]: inner
// is H*W for NCHW, 1 for channels-last and N x C.
CudaKernelSource generateCudaKernel(const Node& expr, int inputs, int params, ElementType type);

} // namespace fiver::kernels
