#include "runtime/model/BlockedAttention.h"

#include "runtime/kernels/DenseBatchedProduct.h"
#include "runtime/kernels/DenseLinear.h"
#include "runtime/model/SequenceOps.h"

#include <c10/core/impl/LocalDispatchKeySet.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace fiver::runtime {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// The blocks compute in fp32 whatever autocast region the op runs in.
using NoAutocast = c10::impl::ExcludeDispatchKeyGuard;

// Scores of queries [begin, end) against keys [0, end): scaled, causally
// masked and biased, in fp32. [N, end - begin, end].
torch::Tensor blockScores(const torch::Tensor& q, const torch::Tensor& k, double scale,
                          int64_t begin, int64_t end, const torch::Tensor& slopes) {
  const torch::Tensor qb = q.narrow(1, begin, end - begin);
  const torch::Tensor kb = k.narrow(1, 0, end);
  torch::Tensor scores = batchedProductWithoutGraph(qb, kb.transpose(1, 2)).mul_(scale);
  const auto options = torch::TensorOptions().dtype(scores.dtype()).device(scores.device());
  const torch::Tensor rows = torch::arange(begin, end, options).unsqueeze(1);
  const torch::Tensor cols = torch::arange(0, end, options).unsqueeze(0);
  const torch::Tensor distance = rows - cols; // i - j
  if (slopes.numel() > 0) {
    const int64_t heads = slopes.size(0), n = scores.size(0);
    scores.view({n / heads, heads, end - begin, end})
        .sub_(slopes.to(options).view({1, heads, 1, 1}) * distance.clamp_min(0));
  }
  return scores.masked_fill_(distance < 0, -std::numeric_limits<float>::infinity());
}

class BlockedCausalAttention : public torch::autograd::Function<BlockedCausalAttention> {
public:
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& q, const torch::Tensor& k,
                               const torch::Tensor& v, double scale, int64_t block,
                               const torch::Tensor& slopes) {
    const int64_t length = q.size(1);
    torch::Tensor out = torch::empty_like(q);
    torch::Tensor logSumExp = torch::empty({q.size(0), length}, q.options());
    for (int64_t begin = 0; begin < length; begin += block) {
      const int64_t end = std::min(length, begin + block);
      const torch::Tensor scores = blockScores(q, k, scale, begin, end, slopes);
      const torch::Tensor lse = torch::logsumexp(scores, -1);
      logSumExp.narrow(1, begin, end - begin).copy_(lse);
      const torch::Tensor p = (scores - lse.unsqueeze(-1)).exp_();
      out.narrow(1, begin, end - begin).copy_(batchedProductWithoutGraph(p, v.narrow(1, 0, end)));
    }
    ctx->save_for_backward({q, k, v, out, logSumExp, slopes});
    ctx->saved_data["scale"] = scale;
    ctx->saved_data["block"] = block;
    return out;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    NoAutocast noAutocast(c10::autocast_dispatch_keyset);
    const variable_list saved = ctx->get_saved_variables();
    const torch::Tensor &q = saved[0], &k = saved[1], &v = saved[2], &out = saved[3],
                        &logSumExp = saved[4], &slopes = saved[5];
    const double scale = ctx->saved_data["scale"].toDouble();
    const int64_t block = ctx->saved_data["block"].toInt();
    const torch::Tensor gradOut = grads[0].contiguous();
    const int64_t length = q.size(1);
    // D_i = sum_d dO_id O_id: the softmax backward's row term.
    const torch::Tensor rowTerm = (gradOut * out).sum(-1);
    torch::Tensor gradQ = torch::zeros_like(q), gradK = torch::zeros_like(k),
                  gradV = torch::zeros_like(v);
    for (int64_t begin = 0; begin < length; begin += block) {
      const int64_t end = std::min(length, begin + block), rows = end - begin;
      const torch::Tensor scores = blockScores(q, k, scale, begin, end, slopes);
      const torch::Tensor p =
          (scores - logSumExp.narrow(1, begin, rows).unsqueeze(-1)).exp_(); // [N, rows, end]
      const torch::Tensor dO = gradOut.narrow(1, begin, rows);
      gradV.narrow(1, 0, end).add_(batchedProductWithoutGraph(p.transpose(1, 2), dO));
      const torch::Tensor dP = batchedProductWithoutGraph(dO, v.narrow(1, 0, end).transpose(1, 2));
      const torch::Tensor dS =
          p.mul_(dP - rowTerm.narrow(1, begin, rows).unsqueeze(-1)).mul_(scale);
      gradQ.narrow(1, begin, rows).copy_(batchedProductWithoutGraph(dS, k.narrow(1, 0, end)));
      gradK.narrow(1, 0, end).add_(
          batchedProductWithoutGraph(dS.transpose(1, 2), q.narrow(1, begin, rows)));
    }
    return {gradQ, gradK, gradV, torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

std::shared_ptr<torch::nn::LinearImpl> linearChild(torch::nn::Module& m, const char* name) {
  auto child = m.named_children();
  auto found = child.find(name);
  auto linear = found ? std::dynamic_pointer_cast<torch::nn::LinearImpl>(*found) : nullptr;
  if (!linear)
    throw std::runtime_error(std::string("memory_efficient_attention: the attention module has "
                                         "no linear layer '") +
                             name + "'");
  return linear;
}

} // namespace

torch::Tensor blockedCausalAttention(const torch::Tensor& q, const torch::Tensor& k,
                                     const torch::Tensor& v, double scale, int64_t block,
                                     const torch::Tensor& alibiSlopes) {
  if (block <= 0)
    throw std::runtime_error("memory_efficient_attention: blocks of " + std::to_string(block) +
                             " queries");
  // Blocks compute in fp32 (16-bit scores would lose the softmax's range);
  // the output returns in the inputs' dtype.
  const auto dtype = q.scalar_type();
  auto fp32 = [](const torch::Tensor& t) {
    return t.scalar_type() == torch::kFloat32 ? t.contiguous() : t.to(torch::kFloat32).contiguous();
  };
  // Autograd functions take defined tensors: no slopes travel as an empty one.
  const torch::Tensor slopes = alibiSlopes.defined() ? alibiSlopes : torch::empty({0});
  torch::Tensor out =
      BlockedCausalAttention::apply(fp32(q), fp32(k), fp32(v), scale, block, slopes);
  return out.scalar_type() == dtype ? out : out.to(dtype);
}

torch::Tensor blockedSelfAttention(torch::nn::Module& attention, const torch::Tensor& x,
                                   int64_t heads, bool alibi, int64_t block) {
  const auto qkvLayer = linearChild(attention, "qkv"), projLayer = linearChild(attention, "proj");
  const int64_t batch = x.size(0), length = x.size(1), dim = x.size(2), headDim = dim / heads;
  // As CausalSelfAttentionImpl::forward: [B, T, 3, H, d] -> three [B H, T, d].
  const torch::Tensor qkv = denseLinear(x, qkvLayer->weight, qkvLayer->bias)
                                .view({batch, length, 3, heads, headDim})
                                .permute({2, 0, 3, 1, 4})
                                .reshape({3, batch * heads, length, headDim});
  const torch::Tensor slopes = alibi ? alibiSlopes(heads).to(x.device()) : torch::Tensor();
  const torch::Tensor mixed = blockedCausalAttention(
      qkv[0], qkv[1], qkv[2], 1.0 / std::sqrt(static_cast<double>(headDim)), block, slopes);
  return denseLinear(
      mixed.view({batch, heads, length, headDim}).transpose(1, 2).reshape({batch, length, dim}),
      projLayer->weight, projLayer->bias);
}

} // namespace fiver::runtime
