#include "runtime/kernels/EagerEvaluator.h"
#include "tests/kernels/KernelTestSupport.h"

#include <gtest/gtest.h>

using namespace fiver::kernels;
using namespace fiver::kerneltest;

TEST(EagerEvaluator, EveryOperationMatchesLibTorch) {
  torch::manual_seed(1);
  for (const OpCase& c : everyOperation(OpList::Eager)) {
    torch::Tensor a = positive({4, 3, 5, 5}), b = positive({4, 3, 5, 5}),
                  d = positive({4, 3, 5, 5});
    torch::Tensor got = evaluateEager(*parseExpr(c.expr), {a, b, d}, {});
    EXPECT_TRUE(torch::allclose(got.to(torch::kFloat), c.ref(a, b, d), 1e-5, 1e-6)) << c.expr;
  }
}

TEST(EagerEvaluator, BroadcastsParametersAlongChannels) {
  torch::Tensor x = torch::randn({2, 3, 4, 4});
  torch::Tensor scale = torch::randn({3}), shift = torch::randn({3});
  torch::Tensor got = evaluateEager(*parseExpr("relu(add(mul(%0,@0),@1))"), {x}, {scale, shift});
  torch::Tensor ref = torch::relu(x * scale.view({1, 3, 1, 1}) + shift.view({1, 3, 1, 1}));
  EXPECT_TRUE(torch::allclose(got, ref));
  torch::Tensor flat = torch::randn({5, 3});
  EXPECT_TRUE(torch::allclose(evaluateEager(*parseExpr("mul(%0,@0)"), {flat}, {scale}),
                              flat * scale.view({1, 3})));
}

TEST(EagerEvaluator, KeepsChannelsLastAndReadsNonContiguousInputs) {
  torch::Tensor x = torch::randn({2, 8, 5, 5}).contiguous(torch::MemoryFormat::ChannelsLast);
  torch::Tensor y = torch::randn({2, 8, 5, 5}).contiguous(torch::MemoryFormat::ChannelsLast);
  torch::Tensor got = evaluateEager(*parseExpr("relu(add(%0,%1))"), {x, y}, {});
  EXPECT_TRUE(got.is_contiguous(torch::MemoryFormat::ChannelsLast));
  EXPECT_TRUE(torch::allclose(got, torch::relu(x + y)));
  torch::Tensor t = torch::randn({5, 7}).t();
  EXPECT_TRUE(torch::allclose(evaluateEager(*parseExpr("tanh(%0)"), {t}, {}), torch::tanh(t)));
}

TEST(EagerEvaluator, ComputesBf16InFp32AndReturnsBf16) {
  torch::Tensor x = torch::randn({3, 7}).to(torch::kBFloat16);
  torch::Tensor got = evaluateEager(*parseExpr("mul(add(%0,1),%0)"), {x}, {});
  EXPECT_EQ(got.scalar_type(), torch::kBFloat16);
  torch::Tensor xf = x.to(torch::kFloat);
  EXPECT_TRUE(torch::equal(got, ((xf + 1) * xf).to(torch::kBFloat16)));
  EXPECT_EQ(evaluateEager(*parseExpr("cast_fp32(%0)"), {x}, {}).scalar_type(), torch::kFloat);
}

TEST(EagerEvaluator, HandlesOddSizes) {
  for (int64_t n : {int64_t{1}, int64_t{7}, int64_t{1000003}}) {
    torch::Tensor x = torch::randn({n}), y = torch::randn({n});
    torch::Tensor got = evaluateEager(*parseExpr("sigmoid(sub(mul(%0,%1),%1))"), {x, y}, {});
    EXPECT_TRUE(torch::allclose(got, torch::sigmoid(x * y - y), 1e-5, 1e-6)) << n;
  }
}

TEST(EagerEvaluator, ReportsMissingInputs) {
  EXPECT_THROW(evaluateEager(*parseExpr("add(%0,%1)"), {torch::ones({2})}, {}), std::out_of_range);
}
