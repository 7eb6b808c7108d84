#include "runtime/kernels/DenseBatchedProduct.h"

#include "runtime/kernels/OneDnnSgemm.h"

#include <ATen/Parallel.h>
#include <ATen/autocast_mode.h>

namespace fiver::runtime {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// A batch of matrices as sgemm reads it: contiguous [N, rows, cols] storage,
// used as it is ('N') or transposed ('T').
struct Operand {
  torch::Tensor storage;
  char op = 'N';
  int64_t rows() const { return op == 'N' ? storage.size(1) : storage.size(2); }
  int64_t cols() const { return op == 'N' ? storage.size(2) : storage.size(1); }
};

// A transposed view of a contiguous tensor (k.transpose(1, 2)) is read as it
// is; anything else is made contiguous.
Operand operand(const torch::Tensor& t) {
  if (t.is_contiguous()) return {t, 'N'};
  const torch::Tensor back = t.transpose(1, 2);
  if (back.is_contiguous()) return {back, 'T'};
  return {t.contiguous(), 'N'};
}

Operand transposed(Operand x) {
  x.op = x.op == 'N' ? 'T' : 'N';
  return x;
}

// C[i] = op(A[i]) op(B[i]) for every i, into a new [N, m, n] tensor. The
// batch is spread over the threads when it has entries enough for all of
// them, each product on one thread; a short batch gives each product all.
torch::Tensor products(const Operand& a, const Operand& b) {
  const int64_t batch = a.storage.size(0), m = a.rows(), k = a.cols(), n = b.cols();
  torch::Tensor c = torch::empty({batch, m, n}, a.storage.options());
  const float* pa = a.storage.data_ptr<float>();
  const float* pb = b.storage.data_ptr<float>();
  float* pc = c.data_ptr<float>();
  const int64_t strideA = a.storage.size(1) * a.storage.size(2),
                strideB = b.storage.size(1) * b.storage.size(2), strideC = m * n;
  auto run = [&](int64_t first, int64_t end) {
    for (int64_t i = first; i < end; ++i)
      callSgemm(a.op, b.op, m, n, k, pa + i * strideA, a.storage.size(2), pb + i * strideB,
                b.storage.size(2), 0.0f, pc + i * strideC, n);
  };
  if (batch >= 2 * at::get_num_threads())
    at::parallel_for(0, batch, 1, run);
  else
    run(0, batch);
  return c;
}

class DenseBatchedProductFunction : public torch::autograd::Function<DenseBatchedProductFunction> {
public:
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& a,
                               const torch::Tensor& b) {
    ctx->save_for_backward({a, b});
    return products(operand(a), operand(b));
  }

  // dA = dC B^T, dB = A^T dC.
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const variable_list saved = ctx->get_saved_variables();
    const Operand grad = operand(grads[0]);
    torch::Tensor gradA, gradB;
    if (ctx->needs_input_grad(0)) gradA = products(grad, transposed(operand(saved[1])));
    if (ctx->needs_input_grad(1)) gradB = products(transposed(operand(saved[0])), grad);
    return {gradA, gradB};
  }
};

} // namespace

bool denseBatchedProductApplies(const torch::Tensor& a, const torch::Tensor& b) {
  if (!oneDnnSgemm() || a.dim() < 3 || a.dim() != b.dim() || !a.device().is_cpu() ||
      a.scalar_type() != torch::kFloat32 || b.scalar_type() != torch::kFloat32 ||
      at::autocast::is_cpu_enabled() || a.size(-1) != b.size(-2) || a.numel() == 0 ||
      b.numel() == 0)
    return false;
  for (int64_t d = 0; d + 2 < a.dim(); ++d)
    if (a.size(d) != b.size(d)) return false; // broadcasting is left to torch::matmul
  return true;
}

torch::Tensor batchedProductWithoutGraph(const torch::Tensor& a, const torch::Tensor& b) {
  if (a.dim() != 3 || !denseBatchedProductApplies(a, b)) return torch::bmm(a, b);
  return products(operand(a), operand(b));
}

torch::Tensor denseBatchedProduct(const torch::Tensor& a, const torch::Tensor& b) {
  if (!denseBatchedProductApplies(a, b)) return torch::matmul(a, b);
  // Leading sizes fold into one batch axis: [N, m, k] x [N, k, n].
  std::vector<int64_t> outSizes = a.sizes().vec();
  outSizes.back() = b.size(-1);
  auto batched = [](const torch::Tensor& t) {
    return t.dim() == 3 ? t : t.reshape({-1, t.size(-2), t.size(-1)});
  };
  return DenseBatchedProductFunction::apply(batched(a), batched(b)).view(outSizes);
}

} // namespace fiver::runtime
