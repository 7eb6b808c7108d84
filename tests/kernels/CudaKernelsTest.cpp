// The CUDA back end against eager LibTorch on the same CUDA inputs: every
// operation the generated kernels support, parameters broadcast along
// channels, channels-last, bf16 and fp16, odd and misaligned sizes (the
// scalar path) next to the vectorized one, gradients of the fused autograd
// node, and FusedSgd / FusedAdamW taking the fused CUDA step. Every test
// skips on machines without a CUDA device.
//
// NVRTC compiles with -use_fast_math (__expf, __logf, approximate division),
// a few ulp from LibTorch's kernels: fp32 tolerances are those of the CPU
// tests with the absolute one raised to 1e-5.
#include "runtime/kernels/CudaFusedKernel.h"
#include "runtime/kernels/CudaFusedOptimizer.h"
#include "runtime/kernels/KernelStats.h"
#include "runtime/optim/FusedAdamW.h"
#include "runtime/optim/FusedSgd.h"
#include "tests/kernels/KernelTestSupport.h"

#include <gtest/gtest.h>

#include <optional>

using namespace fiver::kernels;
using namespace fiver::kerneltest;

namespace {

const torch::Device kCuda(torch::kCUDA);

// The generated kernel's output; a failed test (with the reason) when the
// kernel did not run.
std::optional<torch::Tensor> fusedOnCuda(const std::string& expr,
                                         const std::vector<torch::Tensor>& inputs,
                                         const std::vector<torch::Tensor>& params = {}) {
  std::string why;
  std::optional<torch::Tensor> out = runCudaFused(*parseExpr(expr), inputs, params, why);
  EXPECT_TRUE(out.has_value()) << expr << ": " << why;
  if (out) {
    const torch::Tensor& first = inputs.front().defined() ? inputs.front() : inputs.back();
    EXPECT_TRUE(out->is_cuda()) << expr;
    EXPECT_EQ(out->sizes(), first.sizes()) << expr;
    EXPECT_EQ(out->scalar_type(), first.scalar_type()) << expr;
  }
  return out;
}

} // namespace

TEST(CudaFusedKernel, RunsOnCudaForASupportedExpression) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  torch::manual_seed(1);
  torch::Tensor a = normal({64, 33}, kCuda), b = normal({64, 33}, kCuda);
  std::string why;
  std::optional<torch::Tensor> out = runCudaFused(*parseExpr("relu(add(%0,%1))"), {a, b}, {}, why);
  ASSERT_TRUE(out.has_value()) << "runCudaFused fell back: " << why;
  EXPECT_TRUE(out->is_cuda());
  EXPECT_TRUE(torch::allclose(*out, torch::relu(a + b)));
  const KernelStats cuda = kernelStats()["cuda"];
  EXPECT_GT(cuda.compiled + cuda.cacheHits, 0) << "no CUDA kernel was obtained";
}

TEST(CudaFusedKernel, RefusesCpuInputsWithAReason) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  std::string why;
  EXPECT_FALSE(runCudaFused(*parseExpr("neg(%0)"), {torch::ones({4})}, {}, why).has_value());
  EXPECT_FALSE(why.empty());
}

TEST(CudaFusedKernel, EveryOperationMatchesLibTorch) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  torch::manual_seed(1);
  // 300 elements take the vectorized path, 7 the scalar one.
  for (std::vector<int64_t> sizes : {std::vector<int64_t>{4, 3, 5, 5}, std::vector<int64_t>{7}})
    for (const OpCase& c : everyOperation(OpList::Kernel)) {
      torch::Tensor a = positive(sizes, kCuda), b = positive(sizes, kCuda),
                    d = positive(sizes, kCuda);
      // Exactly the inputs the expression reads: kernels are cached by
      // expression text, and the kernel's signature has one pointer per input.
      std::vector<torch::Tensor> inputs{a, b, d};
      inputs.resize(static_cast<size_t>(inputCount(*parseExpr(c.expr))));
      std::optional<torch::Tensor> got = fusedOnCuda(c.expr, inputs);
      if (!got) continue;
      expectClose(*got, c.ref(a, b, d), 1e-5, 1e-5,
                  std::string(c.expr) + " over " + std::to_string(a.numel()));
    }
}

TEST(CudaFusedKernel, BroadcastsParametersAlongDimensionOne) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  torch::manual_seed(2);
  torch::Tensor scale = normal({3}, kCuda), shift = normal({3}, kCuda);
  torch::Tensor x4 = normal({2, 3, 4, 4}, kCuda);
  if (auto got = fusedOnCuda("relu(add(mul(%0,@0),@1))", {x4}, {scale, shift}))
    expectClose(*got, torch::relu(x4 * scale.view({1, 3, 1, 1}) + shift.view({1, 3, 1, 1})), 1e-5,
                1e-5, "4-D");
  torch::Tensor x3 = normal({5, 3, 7}, kCuda);
  if (auto got = fusedOnCuda("sub(%0,@0)", {x3}, {shift}))
    expectClose(*got, x3 - shift.view({1, 3, 1}), 1e-5, 1e-5, "3-D, odd inner size");
  torch::Tensor x2 = normal({5, 3}, kCuda);
  if (auto got = fusedOnCuda("mul(%0,@0)", {x2}, {scale}))
    expectClose(*got, x2 * scale.view({1, 3}), 1e-5, 1e-5, "2-D");
  // A CPU parameter is moved to the inputs' device.
  if (auto got = fusedOnCuda("mul(%0,@0)", {x2}, {scale.cpu()}))
    expectClose(*got, x2 * scale.view({1, 3}), 1e-5, 1e-5, "CPU parameter");
}

TEST(CudaFusedKernel, KeepsChannelsLast) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  torch::manual_seed(3);
  // 800 elements (vectorized) and 945 (scalar).
  for (std::vector<int64_t> sizes :
       {std::vector<int64_t>{2, 8, 5, 5}, std::vector<int64_t>{3, 5, 7, 9}}) {
    const int64_t c = sizes[1];
    torch::Tensor x = normal(sizes, kCuda).contiguous(torch::MemoryFormat::ChannelsLast);
    torch::Tensor y = normal(sizes, kCuda).contiguous(torch::MemoryFormat::ChannelsLast);
    torch::Tensor scale = normal({c}, kCuda);
    std::optional<torch::Tensor> got = fusedOnCuda("gelu(add(mul(%0,@0),%1))", {x, y}, {scale});
    if (!got) continue;
    EXPECT_TRUE(got->is_contiguous(torch::MemoryFormat::ChannelsLast));
    expectClose(*got, torch::gelu(x * scale.view({1, c, 1, 1}) + y), 1e-5, 1e-5,
                "channels-last " + std::to_string(x.numel()));
  }
}

// bf16 and fp16 are computed in fp32 and rounded once: the reference is the
// fp32 expression over the same (rounded) inputs, rounded to the dtype.
TEST(CudaFusedKernel, Bf16AndFp16MatchTheRoundedFp32Result) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  torch::manual_seed(4);
  struct Low {
    torch::ScalarType dtype;
    double tolerance;
  };
  for (Low low : {Low{torch::kBFloat16, 2e-2}, Low{torch::kHalf, 2e-3}})
    for (std::vector<int64_t> sizes :
         {std::vector<int64_t>{8, 16, 33}, std::vector<int64_t>{1, 7}}) {
      const int64_t c = sizes[1];
      torch::Tensor x = normal(sizes, kCuda).to(low.dtype), y = normal(sizes, kCuda).to(low.dtype);
      torch::Tensor scale = normal({c}, kCuda), shift = normal({c}, kCuda);
      torch::Tensor xf = x.to(torch::kFloat), yf = y.to(torch::kFloat);
      std::vector<int64_t> view(sizes.size(), 1);
      view[1] = c;
      const std::string what =
          std::string(c10::toString(low.dtype)) + " over " + std::to_string(x.numel()) + ": ";
      if (auto got = fusedOnCuda("mul(sigmoid(relu(add(mul(%0,%1),%0))),%1)", {x, y}))
        expectClose(*got, (torch::sigmoid(torch::relu(xf * yf + xf)) * yf).to(low.dtype),
                    low.tolerance, low.tolerance, what + "chain");
      if (auto got = fusedOnCuda("silu(add(mul(%0,@0),@1))", {x}, {scale, shift}))
        expectClose(*got, torch::silu(xf * scale.view(view) + shift.view(view)).to(low.dtype),
                    low.tolerance, low.tolerance, what + "parameters");
    }
  // Channels-last in a 16-bit dtype.
  torch::Tensor x = normal({2, 6, 3, 5}, kCuda)
                        .to(torch::kBFloat16)
                        .contiguous(torch::MemoryFormat::ChannelsLast);
  if (auto got = fusedOnCuda("tanh(add(%0,1))", {x})) {
    EXPECT_TRUE(got->is_contiguous(torch::MemoryFormat::ChannelsLast));
    expectClose(*got, torch::tanh(x.to(torch::kFloat) + 1).to(torch::kBFloat16), 2e-2, 2e-2,
                "bf16 channels-last");
  }
}

TEST(CudaFusedKernel, HandlesOddSizesAndMisalignedInputs) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  torch::manual_seed(5);
  for (int64_t n : {int64_t{1}, int64_t{7}, int64_t{1'000'003}}) {
    torch::Tensor x = normal({n}, kCuda), y = normal({n}, kCuda);
    if (auto got = fusedOnCuda("sigmoid(sub(mul(%0,%1),%1))", {x, y}))
      expectClose(*got, torch::sigmoid(x * y - y), 1e-5, 1e-5, "n = " + std::to_string(n));
  }
  // Views one float into their storage: contiguous, but not 16-byte aligned.
  for (int64_t n : {int64_t{1'000'004}, int64_t{7}}) {
    torch::Tensor x = normal({n + 1}, kCuda).narrow(0, 1, n),
                  y = normal({n + 1}, kCuda).narrow(0, 1, n);
    if (auto got = fusedOnCuda("add(mul(%0,%1),%0)", {x, y}))
      expectClose(*got, x * y + x, 1e-5, 1e-5, "misaligned n = " + std::to_string(n));
  }
}

// Backward hands the kernels undefined tensors for inputs it did not keep,
// and one expression may be launched with more inputs than it reads.
TEST(CudaFusedKernel, UnreadInputsMayBeUndefinedOrVaryInNumber) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  torch::manual_seed(6);
  torch::Tensor x = positive({4, 3, 5, 5}, kCuda), y = positive({4, 3, 5, 5}, kCuda);
  if (auto got = fusedOnCuda("rsqrt(%0)", {x}))
    expectClose(*got, torch::rsqrt(x), 1e-5, 1e-5, "one input");
  if (auto got = fusedOnCuda("rsqrt(%0)", {x, y}))
    expectClose(*got, torch::rsqrt(x), 1e-5, 1e-5, "two inputs, one read");
  if (auto got = fusedOnCuda("mul(%1,%2)", {torch::Tensor(), x, y}))
    expectClose(*got, x * y, 1e-5, 1e-5, "undefined unread input");
  torch::cuda::synchronize();
}

TEST(CudaFusedGradient, MatchesAutogradThroughEagerOps) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  for (const char* e :
       {"add(%0,%1)", "mul(mul(%0,%0),%1)", "div(%0,%1)", "gelu(sub(%0,%1))", "silu(%0)",
        "tanh(sub(%0,%1))", "where(sub(%0,%1),%0,mul(%1,3))", "max(%0,%1)", "rsqrt(%0)"})
    expectGradientsMatch(kCuda, e, 2, 0, {3, 4, 5});
}

TEST(CudaFusedGradient, ReducesParameterGradientsOnCuda) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  expectGradientsMatch(kCuda, "relu(add(mul(%0,@0),@1))", 1, 2, {4, 3, 5, 5});
  expectGradientsMatch(kCuda, "silu(add(mul(%0,@0),%1))", 2, 1, {6, 5});
}

TEST(CudaFusedGradient, ChannelsLastAndOddSizes) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  expectGradientsMatch(kCuda, "gelu(add(mul(%0,@0),%1))", 2, 1, {2, 8, 3, 3},
                       torch::MemoryFormat::ChannelsLast);
  expectGradientsMatch(kCuda, "tanh(mul(%0,%1))", 2, 0, {1, 7, 1});
  expectGradientsMatch(kCuda, "sigmoid(mul(%0,%1))", 2, 0, {3, 1001});
}

namespace {

using fiver::runtime::FusedAdamW;
using fiver::runtime::FusedSgd;
using torch::optim::AdamWOptions;
using torch::optim::SGDOptions;

// 20 steps of the fused optimizer and torch's on CUDA copies of the same
// parameters and gradients. The fused optimizers print a note whenever a
// step falls back to torch's own; none may appear.
template <typename Fused, typename Reference, typename Options>
void compareCudaSteps(const Options& decay, const Options& noDecay) {
  std::string why;
  ASSERT_TRUE(cudaFusedOptimizerAvailable(why)) << "fused CUDA optimizer unavailable: " << why;
  std::vector<torch::Tensor> a = optimizerParams(kCuda), b = copies(a);
  Fused fused(groupsOf(a, decay, noDecay), decay);
  Reference reference(groupsOf(b, decay, noDecay), decay);
  testing::internal::CaptureStderr();
  stepBoth(fused, reference, a, b, 20);
  torch::cuda::synchronize();
  const std::string notes = testing::internal::GetCapturedStderr();
  EXPECT_EQ(notes.find("step unavailable"), std::string::npos)
      << "the fused CUDA step was not taken:\n"
      << notes;
  expectOptimizerStateClose(a, b, fused, reference, 1e-5);
}

} // namespace

TEST(CudaFusedOptimizer, SgdWithMomentumMatchesTorch) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  compareCudaSteps<FusedSgd, torch::optim::SGD>(SGDOptions(0.1).momentum(0.9),
                                                SGDOptions(0.1).momentum(0.9));
}

TEST(CudaFusedOptimizer, SgdNesterovWithWeightDecayMatchesTorch) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  compareCudaSteps<FusedSgd, torch::optim::SGD>(
      SGDOptions(0.05).momentum(0.9).nesterov(true).weight_decay(5e-4),
      SGDOptions(0.05).momentum(0.9).nesterov(true));
}

TEST(CudaFusedOptimizer, PlainSgdWithWeightDecayMatchesTorch) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  compareCudaSteps<FusedSgd, torch::optim::SGD>(SGDOptions(0.1).weight_decay(1e-2),
                                                SGDOptions(0.1));
}

TEST(CudaFusedOptimizer, AdamWMatchesTorch) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  compareCudaSteps<FusedAdamW, torch::optim::AdamW>(
      AdamWOptions(1e-3).weight_decay(0.05),
      AdamWOptions(1e-3).betas({0.8, 0.99}).eps(1e-6).weight_decay(0));
}
