#include "runtime/model/SequenceOps.h"

#include "runtime/kernels/DenseBatchedProduct.h"
#include "runtime/kernels/DenseLinear.h"
#include "runtime/model/FusedAttention.h"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace fiver::runtime {

namespace {
// GPT-2's initialization of both embedding tables.
constexpr double kEmbeddingInitStd = 0.02;
} // namespace

SequenceEmbeddingImpl::SequenceEmbeddingImpl(int64_t vocab, int64_t dim, int64_t positions) {
  if (vocab <= 0 || dim <= 0 || positions < 0)
    throw std::runtime_error("embedding needs positive vocab and dim, and positions >= 0 (got " +
                             std::to_string(vocab) + ", " + std::to_string(dim) + ", " +
                             std::to_string(positions) + ")");
  tokenWeight = register_parameter("token_weight", torch::randn({vocab, dim}) * kEmbeddingInitStd);
  if (positions > 0)
    positionWeight =
        register_parameter("position_weight", torch::randn({positions, dim}) * kEmbeddingInitStd);
}

torch::Tensor SequenceEmbeddingImpl::forward(const torch::Tensor& tokens) {
  if (tokens.dim() != 2 || tokens.scalar_type() != torch::kInt64)
    throw std::runtime_error("embedding reads int64 token ids [batch, length], not a " +
                             std::string(tokens.dtype().name()) + " tensor of " +
                             std::to_string(tokens.dim()) + " dimensions");
  if (!positionWeight.defined()) return torch::embedding(tokenWeight, tokens);
  const int64_t length = tokens.size(1);
  if (length > positionWeight.size(0))
    throw std::runtime_error("embedding has " + std::to_string(positionWeight.size(0)) +
                             " positions, but the sequences have " + std::to_string(length) +
                             " tokens");
  return torch::embedding(tokenWeight, tokens) + positionWeight.narrow(0, 0, length);
}

CausalSelfAttentionImpl::CausalSelfAttentionImpl(int64_t dim, int64_t heads, bool alibi)
    : dim_(dim), heads_(heads), alibi_(alibi) {
  if (dim <= 0 || heads <= 0 || dim % heads != 0)
    throw std::runtime_error("causal_attention splits " + std::to_string(dim) + " features into " +
                             std::to_string(heads) + " heads: the width must be a multiple");
  qkv_ = register_module("qkv", torch::nn::Linear(dim, 3 * dim));
  proj_ = register_module("proj", torch::nn::Linear(dim, dim));
}

torch::Tensor CausalSelfAttentionImpl::forward(const torch::Tensor& x) {
  if (x.dim() != 3 || x.size(2) != dim_)
    throw std::runtime_error("causal_attention reads [batch, length, " + std::to_string(dim_) +
                             "]");
  const int64_t batch = x.size(0), length = x.size(1), headDim = dim_ / heads_;
  // [B, T, 3, H, d] -> three [B H, T, d], each contiguous for the batched products.
  torch::Tensor qkv = denseLinear(x, qkv_->weight, qkv_->bias)
                          .view({batch, length, 3, heads_, headDim})
                          .permute({2, 0, 3, 1, 4})
                          .reshape({3, batch * heads_, length, headDim});
  torch::Tensor q = qkv[0], k = qkv[1], v = qkv[2];
  // Scores, scaled and causally masked in one batched product: the mask adds
  // -inf where position t would see a later position. ALiBi's mask differs
  // by head, so it is added over [B, H, T, T] in one scaled add instead.
  const torch::Tensor& mask = causalMask(length, qkv.options());
  const double scale = 1.0 / std::sqrt(headDim);
  torch::Tensor mixed;
  if (fusedAttentionApplies(q)) {
    // CUDA with LibTorch 2.x: one fused kernel, no T x T scores kept.
    mixed = fusedCausalAttention(q, k, v, batch,
                                 alibi_ ? mask.view({heads_, length, length}) : torch::Tensor());
  } else if (denseBatchedProductApplies(q, k.transpose(1, 2))) {
    // fp32 on the CPU: oneDNN's products, the batch spread over the threads.
    torch::Tensor scores = denseBatchedProduct(q * scale, k.transpose(1, 2));
    scores = alibi_ ? (scores.view({batch, heads_, length, length}) + mask)
                          .view({batch * heads_, length, length})
                    : scores + mask;
    mixed = denseBatchedProduct(torch::softmax(scores, -1), v);
  } else {
    torch::Tensor scores =
        alibi_ ? torch::add(mask,
                            torch::bmm(q, k.transpose(1, 2)).view({batch, heads_, length, length}),
                            scale)
                     .view({batch * heads_, length, length})
               : torch::baddbmm(mask, q, k.transpose(1, 2), /*beta=*/1, /*alpha=*/scale);
    mixed = torch::bmm(torch::softmax(scores, -1), v);
  }
  return denseLinear(
      mixed.view({batch, heads_, length, headDim}).transpose(1, 2).reshape({batch, length, dim_}),
      proj_->weight, proj_->bias);
}

const torch::Tensor& CausalSelfAttentionImpl::causalMask(int64_t length,
                                                         const torch::TensorOptions& options) {
  if (mask_.defined() && mask_.size(-1) == length && mask_.device() == options.device() &&
      mask_.scalar_type() == options.dtype().toScalarType())
    return mask_;
  mask_ = torch::full({length, length}, -std::numeric_limits<double>::infinity(), options).triu(1);
  if (alibi_) mask_ = mask_ + alibiBias(heads_, length).to(options);
  return mask_;
}

torch::Tensor alibiSlopes(int64_t heads) {
  torch::Tensor h = torch::arange(1, heads + 1, torch::kFloat64);
  return torch::pow(2.0, h * (-8.0 / static_cast<double>(heads))).to(torch::kFloat32);
}

torch::Tensor alibiBias(int64_t heads, int64_t length) {
  torch::Tensor position = torch::arange(length, torch::kFloat32);
  // distance[i][j] = i - j on and below the diagonal, 0 above it.
  torch::Tensor distance = (position.unsqueeze(1) - position.unsqueeze(0)).clamp_min(0);
  return -alibiSlopes(heads).view({heads, 1, 1}) * distance;
}

TiedLinearImpl::TiedLinearImpl(SequenceEmbedding embedding, bool withBias)
    : embedding_(std::move(embedding)) {
  if (withBias) bias = register_parameter("bias", torch::zeros({embedding_->tokenWeight.size(0)}));
}

torch::Tensor TiedLinearImpl::forward(const torch::Tensor& x) {
  return denseLinear(x, embedding_->tokenWeight, bias);
}

} // namespace fiver::runtime
