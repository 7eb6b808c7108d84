// Causal attention through LibTorch's fused kernels where they exist (CUDA,
// LibTorch 2.x: FlashAttention, or the memory-efficient kernel when ALiBi
// adds a bias): the T x T scores are never stored, in the forward or the
// backward pass. `FIVER_FUSED_ATTENTION=0` turns it off (A/B runs, tests).
#pragma once

#include <torch/torch.h>

namespace fiver::runtime {

// Whether fusedCausalAttention computes attention over these tensors.
bool fusedAttentionApplies(const torch::Tensor& q);

// softmax(q k^T · scale + mask) v for q, k, v of [B·H, T, d], the heads of
// `batch` sequences, scale 1/sqrt(d); `additiveMask` is undefined for plain
// causal attention, or [H, T, T] (ALiBi's biases with -inf above the
// diagonal). Returns [B·H, T, d].
torch::Tensor fusedCausalAttention(const torch::Tensor& q, const torch::Tensor& k,
                                   const torch::Tensor& v, int64_t batch,
                                   const torch::Tensor& additiveMask);

} // namespace fiver::runtime
