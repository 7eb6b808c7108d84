#include "runtime/kernels/DenseLinear.h"

#include <ATen/autocast_mode.h>

#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <stdexcept>

namespace fiver::runtime {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// oneDNN's C API (dnnl.h): C = alpha op(A) op(B) + beta C, row-major, with
// 'N' or 'T' for op; returns dnnl_success (0) or an error status. Found in
// the process at run time: LibTorch links libdnnl, so no header or link
// flag is needed, and a LibTorch without it simply keeps torch::linear.
using Sgemm = int (*)(char transa, char transb, int64_t m, int64_t n, int64_t k, float alpha,
                      const float* a, int64_t lda, const float* b, int64_t ldb, float beta,
                      float* c, int64_t ldc);

Sgemm sgemm() {
  static const Sgemm found = [] {
    const char* setting = std::getenv("FIVER_DENSE_LINEAR");
    if (setting && std::strcmp(setting, "0") == 0) return Sgemm{nullptr};
    return reinterpret_cast<Sgemm>(dlsym(RTLD_DEFAULT, "dnnl_sgemm"));
  }();
  return found;
}

// C [m, n] = op(A) op(B) (+ C when accumulate), all row-major and contiguous.
void product(char transA, char transB, const torch::Tensor& a, const torch::Tensor& b,
             torch::Tensor& c, bool accumulate) {
  const int64_t m = c.size(0), n = c.size(1);
  const int64_t k = transA == 'N' ? a.size(1) : a.size(0);
  const int status =
      sgemm()(transA, transB, m, n, k, 1.0f, a.data_ptr<float>(), a.size(1), b.data_ptr<float>(),
              b.size(1), accumulate ? 1.0f : 0.0f, c.data_ptr<float>(), n);
  if (status != 0)
    throw std::runtime_error("dnnl_sgemm failed with status " + std::to_string(status) + " on a " +
                             std::to_string(m) + "x" + std::to_string(k) + "x" + std::to_string(n) +
                             " product");
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
  return sgemm() && x.numel() * weight.size(0) >= kSmallestProduct && x.device().is_cpu() &&
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
