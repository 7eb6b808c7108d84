// Batched products through oneDNN's sgemm: outputs and both gradients equal
// torch::matmul's (against float64) for attention's operands, transposed
// views included, batches short and long, and four-dimensional heads.
#include "runtime/kernels/DenseBatchedProduct.h"

#include <gtest/gtest.h>

namespace fiver::runtime {
namespace {

double relative(const torch::Tensor& got, const torch::Tensor& want) {
  return (got.to(torch::kFloat64) - want).abs().max().item<double>() /
         std::max(want.abs().max().item<double>(), 1e-30);
}

// a of `sizesA`, b of `sizesB` (b given as the transpose of a contiguous
// tensor when `transposedB`).
void expectLikeMatmul(std::vector<int64_t> sizesA, std::vector<int64_t> sizesB, bool transposedB) {
  torch::manual_seed(3);
  torch::Tensor a = torch::randn(sizesA).requires_grad_();
  torch::Tensor b;
  if (transposedB) {
    std::vector<int64_t> stored = sizesB;
    std::swap(stored[stored.size() - 1], stored[stored.size() - 2]);
    b = torch::randn(stored).transpose(-1, -2).detach().requires_grad_();
  } else {
    b = torch::randn(sizesB).requires_grad_();
  }
  ASSERT_TRUE(denseBatchedProductApplies(a, b));
  const torch::Tensor c = denseBatchedProduct(a, b);
  const torch::Tensor g = torch::randn(c.sizes());
  c.backward(g);
  const torch::Tensor a64 = a.detach().to(torch::kFloat64).requires_grad_();
  const torch::Tensor b64 = b.detach().to(torch::kFloat64).requires_grad_();
  const torch::Tensor want = torch::matmul(a64, b64);
  want.backward(g.to(torch::kFloat64));
  ASSERT_EQ(c.sizes(), want.sizes());
  EXPECT_LT(relative(c, want), 1e-5);
  EXPECT_LT(relative(a.grad(), a64.grad()), 1e-5);
  EXPECT_LT(relative(b.grad(), b64.grad()), 1e-5);
}

TEST(DenseBatchedProduct, MatchesMatmulOnAttentionsOperands) {
  expectLikeMatmul({64, 16, 8}, {64, 8, 16}, true);     // scores: q k^T, many heads
  expectLikeMatmul({64, 16, 16}, {64, 16, 8}, false);   // mix: p v
  expectLikeMatmul({1, 33, 7}, {1, 7, 5}, false);       // a batch shorter than the threads
  expectLikeMatmul({2, 3, 12, 4}, {2, 3, 4, 12}, true); // [B, H, T, d] heads
}

TEST(DenseBatchedProduct, LeavesBroadcastsAndOtherDtypesToMatmul) {
  const torch::Tensor a = torch::randn({4, 5, 6});
  EXPECT_FALSE(denseBatchedProductApplies(a, torch::randn({6, 2})));    // 3-D x 2-D
  EXPECT_FALSE(denseBatchedProductApplies(a, torch::randn({1, 6, 2}))); // broadcast batch
  EXPECT_FALSE(denseBatchedProductApplies(a.to(torch::kFloat64), torch::randn({4, 6, 2})));
  const torch::Tensor w = torch::randn({6, 2});
  EXPECT_TRUE(torch::allclose(denseBatchedProduct(a, w), torch::matmul(a, w)));
}

} // namespace
} // namespace fiver::runtime
