#include "runtime/kernels/FusedFunction.h"
#include "runtime/kernels/KernelStats.h"
#include "tests/kernels/KernelTestSupport.h"

#include <gtest/gtest.h>

using namespace fiver::kernels;
using namespace fiver::kerneltest;

TEST(FusedGradient, EveryOperationMatchesAutograd) {
  for (const char* e : {"add(%0,%1)", "sub(%0,%1)", "mul(%0,%1)", "div(%0,%1)", "max(%0,%1)",
                        "min(%0,%1)", "neg(%0)", "relu(sub(%0,%1))", "gelu(sub(%0,%1))", "silu(%0)",
                        "sigmoid(%0)", "tanh(%0)", "exp(%0)", "log(%0)", "sqrt(%0)", "rsqrt(%0)",
                        "where(sub(%0,%1),%0,mul(%1,3))", "cast_fp32(%0)", "mul(mul(%0,%0),%1)"})
    expectGradientsMatch(torch::kCPU, e, 2, 0, {3, 4, 5});
}

TEST(FusedGradient, ReducesParameterGradientsOverBroadcastDims) {
  expectGradientsMatch(torch::kCPU, "relu(add(mul(%0,@0),@1))", 1, 2, {4, 3, 5, 5});
  expectGradientsMatch(torch::kCPU, "silu(add(mul(%0,@0),%1))", 2, 1, {6, 5});
}

TEST(FusedGradient, ChannelsLastAndOddSizes) {
  expectGradientsMatch(torch::kCPU, "gelu(add(mul(%0,@0),%1))", 2, 1, {2, 8, 3, 3},
                       torch::MemoryFormat::ChannelsLast);
  expectGradientsMatch(torch::kCPU, "tanh(mul(%0,%1))", 2, 0, {1, 1});
  expectGradientsMatch(torch::kCPU, "tanh(mul(%0,%1))", 2, 0, {1, 7, 1});
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
