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
#include "runtime/TorchCompat.h"
#include "runtime/kernels/CudaFusedKernel.h"
#include "runtime/kernels/CudaFusedOptimizer.h"
#include "runtime/kernels/EagerEvaluator.h"
#include "runtime/kernels/FusedFunction.h"
#include "runtime/kernels/KernelStats.h"
#include "runtime/optim/FusedAdamW.h"
#include "runtime/optim/FusedSgd.h"

#include <gtest/gtest.h>

#include <functional>
#include <optional>

using namespace fiver::kernels;

namespace {

const torch::Device kCuda(torch::kCUDA);

// Random values drawn on the CPU with a fixed seed, then moved: the same
// inputs whatever the device's generator does.
torch::Tensor positive(at::IntArrayRef sizes) {
  return (torch::rand(sizes) + 0.1).to(kCuda);
}

torch::Tensor normal(at::IntArrayRef sizes) {
  return torch::randn(sizes).to(kCuda);
}

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

double maxDifference(const torch::Tensor& a, const torch::Tensor& b) {
  return a.numel() == 0 ? 0.0
                        : (a.to(torch::kFloat) - b.to(torch::kFloat)).abs().max().item<double>();
}

void expectClose(const torch::Tensor& got, const torch::Tensor& want, double rtol, double atol,
                 const std::string& what) {
  EXPECT_TRUE(torch::allclose(got.to(torch::kFloat), want.to(torch::kFloat), rtol, atol))
      << what << ": max |difference| " << maxDifference(got, want);
}

struct Case {
  const char* expr;
  std::function<torch::Tensor(const torch::Tensor&, const torch::Tensor&, const torch::Tensor&)>
      ref;
};

// Every operation of the IR. Inputs are positive (log, sqrt, rsqrt stay
// finite); subtractions bring negative values to the sign-dependent ones.
// Casts at the root change the output dtype, which the kernels leave to
// eager, so they are tested inside an expression.
std::vector<Case> everyOperation() {
  using T = const torch::Tensor&;
  return {
      {"add(%0,%1)", [](T a, T b, T) { return a + b; }},
      {"sub(%0,%1)", [](T a, T b, T) { return a - b; }},
      {"mul(%0,%1)", [](T a, T b, T) { return a * b; }},
      {"div(%0,%1)", [](T a, T b, T) { return a / b; }},
      {"max(%0,%1)", [](T a, T b, T) { return torch::maximum(a, b); }},
      {"min(%0,%1)", [](T a, T b, T) { return torch::minimum(a, b); }},
      {"neg(%0)", [](T a, T, T) { return -a; }},
      {"relu(sub(%0,%1))", [](T a, T b, T) { return torch::relu(a - b); }},
      {"gelu(sub(%0,%1))", [](T a, T b, T) { return torch::gelu(a - b); }},
      {"silu(sub(%0,%1))", [](T a, T b, T) { return torch::silu(a - b); }},
      {"sigmoid(sub(%0,%1))", [](T a, T b, T) { return torch::sigmoid(a - b); }},
      {"tanh(sub(%0,%1))", [](T a, T b, T) { return torch::tanh(a - b); }},
      {"exp(%0)", [](T a, T, T) { return torch::exp(a); }},
      {"log(%0)", [](T a, T, T) { return torch::log(a); }},
      {"sqrt(%0)", [](T a, T, T) { return torch::sqrt(a); }},
      {"rsqrt(%0)", [](T a, T, T) { return torch::rsqrt(a); }},
      {"erf(sub(%0,%1))", [](T a, T b, T) { return torch::erf(a - b); }},
      {"where(sub(%0,%1),%1,%2)", [](T a, T b, T c) { return torch::where(a > b, b, c); }},
      {"add(cast_fp32(%0),%1)", [](T a, T b, T) { return a + b; }},
      {"mul(cast_bf16(%0),2)",
       [](T a, T, T) { return a.to(torch::kBFloat16).to(torch::kFloat) * 2; }},
      {"mul(cast_fp16(%0),3)", [](T a, T, T) { return a.to(torch::kHalf).to(torch::kFloat) * 3; }},
      {"add(mul(%0,%1),0.5)", [](T a, T b, T) { return a * b + 0.5; }},
  };
}

} // namespace

TEST(CudaFusedKernel, RunsOnCudaForASupportedExpression) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  torch::manual_seed(1);
  torch::Tensor a = normal({64, 33}), b = normal({64, 33});
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
    for (const Case& c : everyOperation()) {
      torch::Tensor a = positive(sizes), b = positive(sizes), d = positive(sizes);
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
  torch::Tensor scale = normal({3}), shift = normal({3});
  torch::Tensor x4 = normal({2, 3, 4, 4});
  if (auto got = fusedOnCuda("relu(add(mul(%0,@0),@1))", {x4}, {scale, shift}))
    expectClose(*got, torch::relu(x4 * scale.view({1, 3, 1, 1}) + shift.view({1, 3, 1, 1})), 1e-5,
                1e-5, "4-D");
  torch::Tensor x3 = normal({5, 3, 7});
  if (auto got = fusedOnCuda("sub(%0,@0)", {x3}, {shift}))
    expectClose(*got, x3 - shift.view({1, 3, 1}), 1e-5, 1e-5, "3-D, odd inner size");
  torch::Tensor x2 = normal({5, 3});
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
    torch::Tensor x = normal(sizes).contiguous(torch::MemoryFormat::ChannelsLast);
    torch::Tensor y = normal(sizes).contiguous(torch::MemoryFormat::ChannelsLast);
    torch::Tensor scale = normal({c});
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
      torch::Tensor x = normal(sizes).to(low.dtype), y = normal(sizes).to(low.dtype);
      torch::Tensor scale = normal({c}), shift = normal({c});
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
  torch::Tensor x =
      normal({2, 6, 3, 5}).to(torch::kBFloat16).contiguous(torch::MemoryFormat::ChannelsLast);
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
    torch::Tensor x = normal({n}), y = normal({n});
    if (auto got = fusedOnCuda("sigmoid(sub(mul(%0,%1),%1))", {x, y}))
      expectClose(*got, torch::sigmoid(x * y - y), 1e-5, 1e-5, "n = " + std::to_string(n));
  }
  // Views one float into their storage: contiguous, but not 16-byte aligned.
  for (int64_t n : {int64_t{1'000'004}, int64_t{7}}) {
    torch::Tensor x = normal({n + 1}).narrow(0, 1, n), y = normal({n + 1}).narrow(0, 1, n);
    if (auto got = fusedOnCuda("add(mul(%0,%1),%0)", {x, y}))
      expectClose(*got, x * y + x, 1e-5, 1e-5, "misaligned n = " + std::to_string(n));
  }
}

// Backward hands the kernels undefined tensors for inputs it did not keep,
// and one expression may be launched with more inputs than it reads.
TEST(CudaFusedKernel, UnreadInputsMayBeUndefinedOrVaryInNumber) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  torch::manual_seed(6);
  torch::Tensor x = positive({4, 3, 5, 5}), y = positive({4, 3, 5, 5});
  if (auto got = fusedOnCuda("rsqrt(%0)", {x}))
    expectClose(*got, torch::rsqrt(x), 1e-5, 1e-5, "one input");
  if (auto got = fusedOnCuda("rsqrt(%0)", {x, y}))
    expectClose(*got, torch::rsqrt(x), 1e-5, 1e-5, "two inputs, one read");
  if (auto got = fusedOnCuda("mul(%1,%2)", {torch::Tensor(), x, y}))
    expectClose(*got, x * y, 1e-5, 1e-5, "undefined unread input");
  torch::cuda::synchronize();
}

namespace {

// Gradients of the fused node (symbolic backward, CUDA kernels both ways)
// against LibTorch autograd through the eager ops of the same expression.
void expectCudaGradientsMatch(const char* expr, int inputs, int params, at::IntArrayRef sizes,
                              torch::MemoryFormat format = torch::MemoryFormat::Contiguous) {
  torch::manual_seed(7);
  std::vector<torch::Tensor> xs, ps;
  for (int i = 0; i < inputs; ++i)
    xs.push_back(positive(sizes).add(0.1).contiguous(format).requires_grad_());
  for (int k = 0; k < params; ++k)
    ps.push_back((torch::rand({sizes[1]}) + 0.5).to(kCuda).requires_grad_());
  torch::Tensor upstream = normal(sizes);

  FusedProgram program = FusedProgram::build(expr, inputs, params, std::nullopt);
  {
    // The forward must be the CUDA kernel, not the eager fallback.
    torch::NoGradGuard noGrad;
    std::string why;
    ASSERT_TRUE(runCudaFused(*program.forward, xs, ps, why).has_value()) << expr << ": " << why;
  }
  torch::Tensor fused = applyFused(program, xs, ps);
  ASSERT_TRUE(fused.is_cuda()) << expr;
  std::vector<torch::Tensor> leaves(xs);
  leaves.insert(leaves.end(), ps.begin(), ps.end());
  std::vector<torch::Tensor> got =
      torch::autograd::grad({fused}, leaves, {upstream}, {}, false, /*allow_unused=*/true);

  torch::Tensor eager = evaluateEager(*parseExpr(expr), xs, ps);
  expectClose(fused, eager, 1e-5, 1e-5, std::string(expr) + " forward");
  std::vector<torch::Tensor> want =
      torch::autograd::grad({eager}, leaves, {upstream}, {}, false, /*allow_unused=*/true);
  for (size_t i = 0; i < leaves.size(); ++i) {
    const std::string what = std::string(expr) + " gradient #" + std::to_string(i);
    if (!want[i].defined()) {
      EXPECT_FALSE(got[i].defined() && got[i].abs().max().item<float>() > 0) << what;
      continue;
    }
    ASSERT_TRUE(got[i].defined()) << what;
    EXPECT_TRUE(got[i].is_cuda()) << what;
    expectClose(got[i], want[i], 1e-4, 1e-5, what);
  }
}

} // namespace

TEST(CudaFusedGradient, MatchesAutogradThroughEagerOps) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  for (const char* e :
       {"add(%0,%1)", "mul(mul(%0,%0),%1)", "div(%0,%1)", "gelu(sub(%0,%1))", "silu(%0)",
        "tanh(sub(%0,%1))", "where(sub(%0,%1),%0,mul(%1,3))", "max(%0,%1)", "rsqrt(%0)"})
    expectCudaGradientsMatch(e, 2, 0, {3, 4, 5});
}

TEST(CudaFusedGradient, ReducesParameterGradientsOnCuda) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  expectCudaGradientsMatch("relu(add(mul(%0,@0),@1))", 1, 2, {4, 3, 5, 5});
  expectCudaGradientsMatch("silu(add(mul(%0,@0),%1))", 2, 1, {6, 5});
}

TEST(CudaFusedGradient, ChannelsLastAndOddSizes) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  expectCudaGradientsMatch("gelu(add(mul(%0,@0),%1))", 2, 1, {2, 8, 3, 3},
                           torch::MemoryFormat::ChannelsLast);
  expectCudaGradientsMatch("tanh(mul(%0,%1))", 2, 0, {1, 7, 1});
  expectCudaGradientsMatch("sigmoid(mul(%0,%1))", 2, 0, {3, 1001});
}

namespace {

using fiver::runtime::FusedAdamW;
using fiver::runtime::FusedSgd;
using torch::optim::AdamWOptions;
using torch::optim::SGDOptions;

// The CPU fused-optimizer test's parameters, on CUDA: empty, single-element,
// odd-sized, channels-last, and one that misses gradients on odd steps.
std::vector<torch::Tensor> cudaParams() {
  torch::manual_seed(7);
  std::vector<torch::Tensor> ps = {
      torch::randn({0}),
      torch::randn({1}),
      torch::randn({7}),
      torch::randn({3, 5, 7}),
      torch::randn({33, 17}),
      torch::randn({1'000'003}),
      torch::randn({16, 3, 3, 3}).contiguous(torch::MemoryFormat::ChannelsLast),
      torch::randn({5}), // gets no gradient on odd steps
  };
  for (torch::Tensor& p : ps)
    p = p.to(kCuda).set_requires_grad(true);
  return ps;
}

std::vector<torch::Tensor> copies(const std::vector<torch::Tensor>& ps) {
  std::vector<torch::Tensor> out;
  for (const torch::Tensor& p : ps)
    out.push_back(p.detach().clone().set_requires_grad(true));
  return out;
}

// Two groups, as makeOptimizer builds them: the first decays, the second not.
std::vector<torch::optim::OptimizerParamGroup> groupsOf(const std::vector<torch::Tensor>& ps,
                                                        const torch::optim::OptimizerOptions& a,
                                                        const torch::optim::OptimizerOptions& b) {
  std::vector<torch::Tensor> first(ps.begin(), ps.begin() + 5), second(ps.begin() + 5, ps.end());
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(first, a.clone());
  groups.emplace_back(second, b.clone());
  return groups;
}

void setGradients(int step, const std::vector<torch::Tensor>& a,
                  const std::vector<torch::Tensor>& b) {
  torch::manual_seed(100 + step);
  for (size_t i = 0; i < a.size(); ++i) {
    if (i + 1 == a.size() && step % 2 == 1) {
      a[i].mutable_grad() = torch::Tensor();
      b[i].mutable_grad() = torch::Tensor();
      continue;
    }
    torch::Tensor g = torch::empty_like(a[i]).normal_();
    a[i].mutable_grad() = g.clone();
    b[i].mutable_grad() = g.clone();
  }
}

// max |a - b| over max |b|, so elements passing through zero do not dominate.
double relativeError(const torch::Tensor& a, const torch::Tensor& b) {
  if (b.numel() == 0) return 0;
  double scale = std::max(b.abs().max().item<double>(), 1e-30);
  return (a - b).abs().max().item<double>() / scale;
}

void expectStateClose(const std::vector<torch::Tensor>& fused,
                      const std::vector<torch::Tensor>& ref,
                      const torch::optim::Optimizer& fusedOpt,
                      const torch::optim::Optimizer& refOpt) {
  constexpr double kTolerance = 1e-5;
  for (size_t i = 0; i < fused.size(); ++i) {
    ASSERT_TRUE(fused[i].is_cuda()) << "param " << i;
    ASSERT_EQ(fused[i].strides(), ref[i].strides()) << "param " << i;
    EXPECT_LE(relativeError(fused[i], ref[i]), kTolerance) << "param " << i;
    const auto fk = fiver::torchcompat::optimizerStateKey(fused[i]);
    const auto rk = fiver::torchcompat::optimizerStateKey(ref[i]);
    ASSERT_EQ(fusedOpt.state().count(fk), refOpt.state().count(rk)) << "state of param " << i;
    if (!refOpt.state().count(rk)) continue;
    const auto& fs = *fusedOpt.state().at(fk);
    const auto& rs = *refOpt.state().at(rk);
    if (auto* r = dynamic_cast<const torch::optim::SGDParamState*>(&rs)) {
      auto& f = dynamic_cast<const torch::optim::SGDParamState&>(fs);
      EXPECT_LE(relativeError(f.momentum_buffer(), r->momentum_buffer()), kTolerance)
          << "buffer " << i;
    } else {
      auto& r2 = dynamic_cast<const torch::optim::AdamWParamState&>(rs);
      auto& f = dynamic_cast<const torch::optim::AdamWParamState&>(fs);
      EXPECT_EQ(f.step(), r2.step()) << "step " << i;
      EXPECT_LE(relativeError(f.exp_avg(), r2.exp_avg()), kTolerance) << "exp_avg " << i;
      EXPECT_LE(relativeError(f.exp_avg_sq(), r2.exp_avg_sq()), kTolerance) << "exp_avg_sq " << i;
    }
  }
}

// 20 steps of the fused optimizer and torch's on CUDA copies of the same
// parameters and gradients. The fused optimizers print a note whenever a
// step falls back to torch's own; none may appear.
template <typename Fused, typename Reference, typename Options>
void compareCudaSteps(const Options& decay, const Options& noDecay) {
  std::string why;
  ASSERT_TRUE(cudaFusedOptimizerAvailable(why)) << "fused CUDA optimizer unavailable: " << why;
  std::vector<torch::Tensor> a = cudaParams(), b = copies(a);
  Fused fused(groupsOf(a, decay, noDecay), decay);
  Reference reference(groupsOf(b, decay, noDecay), decay);
  testing::internal::CaptureStderr();
  for (int step = 0; step < 20; ++step) {
    setGradients(step, a, b);
    fused.step();
    reference.step();
  }
  torch::cuda::synchronize();
  const std::string notes = testing::internal::GetCapturedStderr();
  EXPECT_EQ(notes.find("step unavailable"), std::string::npos)
      << "the fused CUDA step was not taken:\n"
      << notes;
  expectStateClose(a, b, fused, reference);
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
