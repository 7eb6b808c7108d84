#include "runtime/kernels/DenseLinear.h"

#include "runtime/kernels/OneDnnSgemm.h"

#include <ATen/autocast_mode.h>

namespace fiver::runtime {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// C [m, n] = op(A) op(B) (+ C when accumulate), all row-major and contiguous.
void product(char transA, char transB, const torch::Tensor& a, const torch::Tensor& b,
             torch::Tensor& c, bool accumulate) {
  const int64_t m = c.size(0), n = c.size(1);
  const int64_t k = transA == 'N' ? a.size(1) : a.size(0);
  callSgemm(transA, transB, m, n, k, a.data_ptr<float>(), a.size(1), b.data_ptr<float>(), b.size(1),
            accumulate ? 1.0f : 0.0f, c.data_ptr<float>(), n);
}

class DenseLinearFunction : public torch::autograd::Function<DenseLinearFunction> {
public:
  // x [m, in], weight [out, in], bias [out] or empty.
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x,
                               const torch::Tensor& weight, const torch::Tensor& bias) {
    ctx->save_for_backward({x, weight});
    ctx->saved_data["bias"] = bias.numel() > 0;
    torch::Tensor y;
    if (bias.numel() > 0)
      y = bias.expand({x.size(0), weight.size(0)}).contiguous(); // accumulated into
    else
      y = torch::empty({x.size(0), weight.size(0)}, x.options());
    product('N', 'T', x, weight, y, bias.numel() > 0);
    return y;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const variable_list saved = ctx->get_saved_variables();
    const torch::Tensor &x = saved[0], &weight = saved[1];
    const torch::Tensor g = grads[0].contiguous();
    torch::Tensor gradX, gradWeight, gradBias;
    if (ctx->needs_input_grad(0)) {
      gradX = torch::empty_like(x);
      product('N', 'N', g, weight, gradX, false); // g W
    }
    if (ctx->needs_input_grad(1)) {
      gradWeight = torch::empty_like(weight);
      product('T', 'N', g, x, gradWeight, false); // g^T x
    }
    if (ctx->saved_data["bias"].toBool() && ctx->needs_input_grad(2)) gradBias = g.sum(0);
    return {gradX, gradWeight, gradBias};
  }
};

} // namespace

bool denseLinearApplies(const torch::Tensor& x, const torch::Tensor& weight) {
  // Below about 2^18 multiply-adds a product takes microseconds, and the
  // autograd function's own bookkeeping costs more than sgemm saves
  // (the Fashion-MNIST classifier, 128 x 64 x 10).
  constexpr int64_t kSmallestProduct = int64_t{1} << 18;
  return oneDnnSgemm() && x.numel() * weight.size(0) >= kSmallestProduct && x.device().is_cpu() &&
         x.scalar_type() == torch::kFloat32 && weight.scalar_type() == torch::kFloat32 &&
         weight.dim() == 2 && x.dim() >= 1 && x.size(-1) == weight.size(1) && x.numel() > 0 &&
         !at::autocast::is_cpu_enabled();
}

torch::Tensor denseLinear(const torch::Tensor& x, const torch::Tensor& weight,
                          const torch::Tensor& bias) {
  if (!denseLinearApplies(x, weight) || (bias.defined() && bias.scalar_type() != torch::kFloat32))
    return torch::linear(x, weight, bias);
  std::vector<int64_t> outSizes = x.sizes().vec();
  outSizes.back() = weight.size(0);
  const torch::Tensor rows = x.reshape({-1, x.size(-1)}).contiguous();
  // Autograd functions take defined tensors: no bias travels as an empty one.
  const torch::Tensor b = bias.defined() ? bias : torch::empty({0}, weight.options());
  return DenseLinearFunction::apply(rows, weight.contiguous(), b).view(outSizes);
}

} // namespace fiver::runtime
