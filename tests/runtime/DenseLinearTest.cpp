// Linear layers through oneDNN's sgemm: outputs and the gradients of input,
// weight and bias equal torch::linear's (against float64), for the shapes
// the runtime feeds it; and the cases it leaves to torch::linear.
#include "runtime/kernels/DenseLinear.h"

#include <ATen/autocast_mode.h>
#include <gtest/gtest.h>

namespace fiver::runtime {
namespace {

double relative(const torch::Tensor& got, const torch::Tensor& want) {
  return (got.to(torch::kFloat64) - want).abs().max().item<double>() /
         std::max(want.abs().max().item<double>(), 1e-30);
}

// x of `sizes` (its last entry the input width) times a [out, in] weight.
void expectLikeTorch(std::vector<int64_t> sizes, int64_t out, bool bias, bool transposedInput) {
  torch::manual_seed(7);
  const int64_t in = sizes.back();
  torch::Tensor x = torch::randn(sizes);
  if (transposedInput) { // the same values, not contiguous
    std::vector<int64_t> swapped = sizes;
    std::swap(swapped[0], swapped[swapped.size() - 1]);
    x = torch::randn(swapped).transpose(0, static_cast<int64_t>(sizes.size()) - 1);
  }
  x.requires_grad_();
  torch::Tensor w = torch::randn({out, in}).requires_grad_();
  torch::Tensor b = bias ? torch::randn({out}).requires_grad_() : torch::Tensor();
  ASSERT_TRUE(denseLinearApplies(x, w));
  const torch::Tensor y = denseLinear(x, w, b);
  std::vector<int64_t> outSizes = sizes;
  outSizes.back() = out;
  ASSERT_EQ(y.sizes().vec(), outSizes);
  const torch::Tensor g = torch::randn(outSizes);
  y.backward(g);

  const torch::Tensor x64 = x.detach().to(torch::kFloat64).requires_grad_();
  const torch::Tensor w64 = w.detach().to(torch::kFloat64).requires_grad_();
  const torch::Tensor b64 = bias ? b.detach().to(torch::kFloat64).requires_grad_() : b;
  const torch::Tensor want = torch::linear(x64, w64, b64);
  want.backward(g.to(torch::kFloat64));
  const std::string what = "x " + std::to_string(x.numel()) + " values, out " +
                           std::to_string(out) + (bias ? ", bias" : "");
  EXPECT_LT(relative(y, want), 1e-5) << what;
  EXPECT_LT(relative(x.grad(), x64.grad()), 1e-5) << what;
  EXPECT_LT(relative(w.grad(), w64.grad()), 1e-5) << what;
  if (bias) {
    EXPECT_LT(relative(b.grad(), b64.grad()), 1e-5) << what;
  }
}

TEST(DenseLinear, MatchesTorchLinearOnTheRuntimesShapes) {
  expectLikeTorch({256, 128}, 384, true, false);  // a transformer's qkv, flattened
  expectLikeTorch({4, 32, 64}, 256, true, false); // [B, T, dim] -> MLP
  expectLikeTorch({4, 32, 64}, 32, false, false); // a head without bias
  expectLikeTorch({512, 64}, 10, true, false);    // a classifier of ten classes
  expectLikeTorch({2048, 128}, 1, true, false);   // a single output
  expectLikeTorch({400, 48}, 24, true, true);     // an input that is not contiguous
}

TEST(DenseLinear, FrozenWeightsGetNoGradient) {
  torch::Tensor x = torch::randn({512, 32}).requires_grad_();
  torch::Tensor w = torch::randn({16, 32}), b = torch::randn({16});
  ASSERT_TRUE(denseLinearApplies(x, w));
  denseLinear(x, w, b).sum().backward();
  EXPECT_TRUE(x.grad().defined());
  EXPECT_FALSE(w.grad().defined());
  EXPECT_TRUE(torch::allclose(x.grad(), w.sum(0).expand({512, 32}), 1e-4, 1e-5));
}

TEST(DenseLinear, LeavesOtherDtypesAutocastAndTinyProductsToTorch) {
  const torch::Tensor w = torch::randn({64, 8});
  const torch::Tensor x = torch::randn({1024, 8});
  EXPECT_TRUE(denseLinearApplies(x, w));
  EXPECT_FALSE(denseLinearApplies(x.to(torch::kFloat64), w));
  EXPECT_FALSE(denseLinearApplies(x, w.to(torch::kBFloat16)));
  EXPECT_FALSE(denseLinearApplies(x.narrow(0, 0, 2), w)); // 2 x 8 x 64
  {
    at::autocast::set_cpu_enabled(true);
    EXPECT_FALSE(denseLinearApplies(x, w));
    at::autocast::set_cpu_enabled(false);
  }
  const torch::Tensor x64 = x.to(torch::kFloat64), w64 = w.to(torch::kFloat64);
  EXPECT_TRUE(torch::allclose(denseLinear(x64, w64, torch::Tensor()), torch::linear(x64, w64)));
}

} // namespace
} // namespace fiver::runtime
