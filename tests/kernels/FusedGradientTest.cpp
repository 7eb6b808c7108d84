#include "runtime/kernels/EagerEvaluator.h"
#include "runtime/kernels/FusedFunction.h"
#include "runtime/kernels/KernelStats.h"

#include <gtest/gtest.h>

using namespace fiver::kernels;

namespace {

// Gradients of the fused node (symbolic backward) against LibTorch autograd
// through the eager ops of the same expression.
void expectGradientsMatch(const char* expr, int inputs, int params, at::IntArrayRef sizes,
                          torch::MemoryFormat format = torch::MemoryFormat::Contiguous) {
  torch::manual_seed(7);
  std::vector<torch::Tensor> xs, ps;
  for (int i = 0; i < inputs; ++i)
    xs.push_back((torch::rand(sizes) + 0.2).contiguous(format).requires_grad_());
  for (int k = 0; k < params; ++k)
    ps.push_back((torch::rand({sizes[1]}) + 0.5).requires_grad_());
  torch::Tensor upstream = torch::randn(sizes);

  FusedProgram program = FusedProgram::build(expr, inputs, params, std::nullopt);
  torch::Tensor fused = applyFused(program, xs, ps);
  std::vector<torch::Tensor> leaves(xs);
  leaves.insert(leaves.end(), ps.begin(), ps.end());
  std::vector<torch::Tensor> got =
      torch::autograd::grad({fused}, leaves, {upstream}, {}, false, /*allow_unused=*/true);

  torch::Tensor eager = evaluateEager(*parseExpr(expr), xs, ps);
  EXPECT_TRUE(torch::allclose(fused, eager)) << expr;
  std::vector<torch::Tensor> want =
      torch::autograd::grad({eager}, leaves, {upstream}, {}, false, /*allow_unused=*/true);
  for (size_t i = 0; i < leaves.size(); ++i) {
    if (!want[i].defined()) {
      EXPECT_FALSE(got[i].defined() && got[i].abs().max().item<float>() > 0) << expr << " #" << i;
      continue;
    }
    ASSERT_TRUE(got[i].defined()) << expr << " #" << i;
    EXPECT_TRUE(torch::allclose(got[i], want[i], 1e-4, 1e-5)) << expr << " #" << i << "\n"
                                                              << (got[i] - want[i]).abs().max();
  }
}

} // namespace

TEST(FusedGradient, EveryOperationMatchesAutograd) {
  for (const char* e : {"add(%0,%1)", "sub(%0,%1)", "mul(%0,%1)", "div(%0,%1)", "max(%0,%1)",
                        "min(%0,%1)", "neg(%0)", "relu(sub(%0,%1))", "gelu(sub(%0,%1))", "silu(%0)",
                        "sigmoid(%0)", "tanh(%0)", "exp(%0)", "log(%0)", "sqrt(%0)", "rsqrt(%0)",
                        "where(sub(%0,%1),%0,mul(%1,3))", "cast_fp32(%0)", "mul(mul(%0,%0),%1)"})
    expectGradientsMatch(e, 2, 0, {3, 4, 5});
}

TEST(FusedGradient, ReducesParameterGradientsOverBroadcastDims) {
  expectGradientsMatch("relu(add(mul(%0,@0),@1))", 1, 2, {4, 3, 5, 5});
  expectGradientsMatch("silu(add(mul(%0,@0),%1))", 2, 1, {6, 5});
}

TEST(FusedGradient, ChannelsLastAndOddSizes) {
  expectGradientsMatch("gelu(add(mul(%0,@0),%1))", 2, 1, {2, 8, 3, 3},
                       torch::MemoryFormat::ChannelsLast);
  expectGradientsMatch("tanh(mul(%0,%1))", 2, 0, {1, 1});
  expectGradientsMatch("tanh(mul(%0,%1))", 2, 0, {1, 7, 1});
}

TEST(FusedGradient, Bf16GradientsHaveInputDtype) {
  torch::Tensor x = torch::randn({4, 3}).to(torch::kBFloat16).requires_grad_();
  FusedProgram program = FusedProgram::build("relu(mul(%0,2))", 1, 0, std::nullopt);
  torch::Tensor y = applyFused(program, {x}, {});
  EXPECT_EQ(y.scalar_type(), torch::kBFloat16);
  y.sum().backward();
  EXPECT_EQ(x.grad().scalar_type(), torch::kBFloat16);
  torch::Tensor want = (x.detach().to(torch::kFloat) > 0).to(torch::kFloat) * 2;
  EXPECT_TRUE(torch::allclose(x.grad().to(torch::kFloat), want));
}

// A bf16 activation meeting an fp32 residual in one layout and a
// channels-last one in the other, as under autocast: the group still runs
// as a compiled kernel (the CPU backend counts it) and equals the eager ops,
// gradients included, each in its input's dtype.
TEST(FusedGradient, MixedDtypesAndLayoutsStillFuse) {
  torch::manual_seed(5);
  torch::Tensor a = torch::randn({2, 8, 3, 3}).to(torch::kBFloat16).requires_grad_();
  torch::Tensor b =
      torch::randn({2, 8, 3, 3}).contiguous(torch::MemoryFormat::ChannelsLast).requires_grad_();
  FusedProgram program = FusedProgram::build("add(relu(%0),%1)", 2, 0, std::nullopt);
  const auto before = kernelStats()["cpu"];
  torch::Tensor y = applyFused(program, {a, b}, {});
  const auto after = kernelStats()["cpu"];
  EXPECT_GT(after.compiled + after.cacheHits, before.compiled + before.cacheHits);
  torch::Tensor want = torch::relu(a.detach()) + b.detach();
  EXPECT_EQ(y.scalar_type(), want.scalar_type());
  EXPECT_TRUE(torch::allclose(y.detach(), want));
  y.sum().backward();
  EXPECT_EQ(a.grad().scalar_type(), torch::kBFloat16);
  EXPECT_EQ(b.grad().scalar_type(), torch::kFloat);
  EXPECT_TRUE(torch::equal(b.grad(), torch::ones_like(b)));
  EXPECT_TRUE(torch::equal(a.grad().to(torch::kFloat), (a.detach() > 0).to(torch::kFloat)));
}
