// memory_efficient_attention's kernel: exact causal softmax attention
// computed one block of queries at a time, so that no [T, T] score matrix is
// ever held. The forward pass keeps only the output and each query's
// log-sum-exp of scores; the backward pass recomputes each block's scores
// from them (the FlashAttention scheme, here with batched products on the
// CPU: runtime/kernels/DenseBatchedProduct.h).
#pragma once

#include <torch/torch.h>

namespace fiver::runtime {

// softmax(q k^T * scale + causal mask [+ ALiBi bias]) v for q, k, v of
// [B * H, T, d], in blocks of `block` queries; the scores of a block span
// only the keys it may see. `alibiSlopes` ([H] or undefined) adds head h's
// bias -m_h (i - j). Differentiable in q, k and v.
torch::Tensor blockedCausalAttention(const torch::Tensor& q, const torch::Tensor& k,
                                     const torch::Tensor& v, double scale, int64_t block,
                                     const torch::Tensor& alibiSlopes);

// Multi-head causal self-attention of a causal_attention op's module
// (CausalSelfAttentionImpl: its `qkv` and `proj` linear layers) on
// [B, T, dim], with blockedCausalAttention in the middle.
torch::Tensor blockedSelfAttention(torch::nn::Module& attention, const torch::Tensor& x,
                                   int64_t heads, bool alibi, int64_t block);

} // namespace fiver::runtime
