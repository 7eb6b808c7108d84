// The fp32 products of linear layers on the CPU, through oneDNN's sgemm.
// LibTorch's own linear goes to the system BLAS (Debian's OpenBLAS), which on
// these machines runs the three products of a layer's training step at
// 60-75% of what oneDNN's sgemm (libdnnl, which LibTorch links for its
// convolutions) does on the same row-major tensors, with no layout
// conversion (bench/gemm/gemm_speed.cpp). Other dtypes, other devices,
// autocast regions and a process without dnnl_sgemm take torch::linear, and
// so does FIVER_DENSE_LINEAR=0 in the environment (runtime/kernels/OneDnnSgemm.h).
#pragma once

#include <torch/torch.h>

namespace fiver::runtime {

// x [..., in] times weight [out, in] transposed, plus bias [out] (undefined:
// none): [..., out]. Differentiable in all three.
torch::Tensor denseLinear(const torch::Tensor& x, const torch::Tensor& weight,
                          const torch::Tensor& bias);

// Whether denseLinear computes these operands with oneDNN's sgemm.
bool denseLinearApplies(const torch::Tensor& x, const torch::Tensor& weight);

} // namespace fiver::runtime
