// The runtime side of the sequence op kinds of text tasks: `embedding` (token
// and learned position tables), `causal_attention` (multi-head self-attention
// that sees only earlier positions, optionally with ALiBi's linear biases), and a `linear` whose
// weight is tied to an embedding's token table (`tied_to`). `layernorm` is torch::nn::LayerNorm.
// Every module reads [B, T', ...] with T' up to the plan's sequence length:
// methods such as seq_length_warmup feed shorter sequences.
#pragma once

#include <torch/torch.h>

namespace fiver::runtime {

// Token embedding of int64 ids [B, T'] plus the position embedding of
// positions 0..T'-1: [B, T', dim]. Parameters `token_weight` [vocab, dim]
// and `position_weight` [positions, dim], both drawn from N(0, 0.02). With
// `positions` 0 there is no position table (alibi: the attention tells
// positions apart by distance) and any length runs.
class SequenceEmbeddingImpl : public torch::nn::Module {
public:
  SequenceEmbeddingImpl(int64_t vocab, int64_t dim, int64_t positions);
  torch::Tensor forward(const torch::Tensor& tokens);

  torch::Tensor tokenWeight, positionWeight; // positionWeight undefined without positions
};
TORCH_MODULE(SequenceEmbedding);

// Multi-head causal self-attention on [B, T', dim]: one projection to
// queries, keys and values (`qkv`, dim -> 3 dim), softmax(q k^T / sqrt(d_head))
// with every later position masked out, then the output projection (`proj`).
// With `alibi`, head h's scores also get the fixed bias alibiBias gives.
class CausalSelfAttentionImpl : public torch::nn::Module {
public:
  CausalSelfAttentionImpl(int64_t dim, int64_t heads, bool alibi = false);
  torch::Tensor forward(const torch::Tensor& x);

private:
  // Added to the scaled scores: -inf above the diagonal, 0 on and below it
  // ([T, T]), plus the ALiBi bias with `alibi` ([H, T, T]); kept for the
  // last length.
  const torch::Tensor& causalMask(int64_t length, const torch::TensorOptions& options);

  int64_t dim_, heads_;
  bool alibi_;
  torch::nn::Linear qkv_{nullptr}, proj_{nullptr};
  torch::Tensor mask_;
};
TORCH_MODULE(CausalSelfAttention);

// ALiBi's slopes (Press, Smith and Lewis, 2022): m_h = 2^(-8 h / H) for
// heads h = 1..H, a geometric sequence from 2^(-8/H) down to 2^-8: [H].
torch::Tensor alibiSlopes(int64_t heads);
// The bias head h adds to the score of query i for key j <= i: -m_h (i - j),
// so each head attends at its own length scale; 0 above the diagonal, which
// the causal mask hides. [H, T, T] in float32.
torch::Tensor alibiBias(int64_t heads, int64_t length);

// A linear layer that reads the token table of `embedding` as its weight
// ([vocab, dim] = [out, in]), plus a bias of its own when `bias`. The table
// is not registered here: the model holds it once, and the gradients of both
// uses add up in it.
class TiedLinearImpl : public torch::nn::Module {
public:
  TiedLinearImpl(SequenceEmbedding embedding, bool bias);
  torch::Tensor forward(const torch::Tensor& x);
  const torch::Tensor& weight() const { return embedding_->tokenWeight; }

  torch::Tensor bias; // undefined without a bias

private:
  SequenceEmbedding embedding_;
};
TORCH_MODULE(TiedLinear);

} // namespace fiver::runtime
