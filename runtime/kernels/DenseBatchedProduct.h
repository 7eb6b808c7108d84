// Batched fp32 matrix products on the CPU through oneDNN's sgemm: the
// attention products of transformers ([B * H, T, d] x [B * H, d, T] and
// back). torch::bmm computes them with one BLAS call a batch entry, each
// spread over every thread; here the batch entries are spread over the
// threads instead, each product on one (about 3x torch::bmm's rate for
// tiny_gpt's heads, bench/gemm/gemm_speed.cpp). Operands that are transposed
// views of contiguous tensors are read as they are. Outside fp32 on the CPU,
// in autocast regions or without dnnl_sgemm it is torch::matmul.
// FIVER_DENSE_LINEAR=0 turns it off with the linear layers' path.
#pragma once

#include <torch/torch.h>

namespace fiver::runtime {

// a [..., m, k] times b [..., k, n] with equal leading sizes: [..., m, n].
// Differentiable in both.
torch::Tensor denseBatchedProduct(const torch::Tensor& a, const torch::Tensor& b);

// The same product of 3-D operands outside autograd, for autograd functions'
// own passes (runtime/model/BlockedAttention.cpp): torch::bmm where
// denseBatchedProductApplies is false.
torch::Tensor batchedProductWithoutGraph(const torch::Tensor& a, const torch::Tensor& b);

// Whether denseBatchedProduct computes these operands with oneDNN's sgemm.
bool denseBatchedProductApplies(const torch::Tensor& a, const torch::Tensor& b);

} // namespace fiver::runtime
