// What the kernel tests share between the CPU and the CUDA back ends: random
// inputs drawn on the CPU (the same values whatever the device), the list of
// IR operations with their LibTorch references, the gradient check of the
// fused autograd node, and the fused optimizers' parameters, groups and
// gradients with the comparison of their state against torch::optim's.
#pragma once

#include "runtime/TorchCompat.h"
#include "runtime/kernels/CudaFusedKernel.h"
#include "runtime/kernels/EagerEvaluator.h"
#include "runtime/kernels/FusedFunction.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace fiver::kerneltest {

// Random values drawn on the CPU with a fixed seed, then moved: the same
// inputs whatever the device's generator does.
inline torch::Tensor positive(at::IntArrayRef sizes, torch::Device device = torch::kCPU) {
  return (torch::rand(sizes) + 0.1).to(device);
}

inline torch::Tensor normal(at::IntArrayRef sizes, torch::Device device = torch::kCPU) {
  return torch::randn(sizes).to(device);
}

inline double maxDifference(const torch::Tensor& a, const torch::Tensor& b) {
  return a.numel() == 0 ? 0.0
                        : (a.to(torch::kFloat) - b.to(torch::kFloat)).abs().max().item<double>();
}

inline void expectClose(const torch::Tensor& got, const torch::Tensor& want, double rtol,
                        double atol, const std::string& what) {
  EXPECT_TRUE(torch::allclose(got.to(torch::kFloat), want.to(torch::kFloat), rtol, atol))
      << what << ": max |difference| " << maxDifference(got, want);
}

// One IR expression over up to three inputs and its LibTorch reference.
struct OpCase {
  const char* expr;
  std::function<torch::Tensor(const torch::Tensor&, const torch::Tensor&, const torch::Tensor&)>
      ref;
};

// Which form of the operation list a back end is tested with.
enum class OpList {
  // Every operation on the inputs as they are, casts at the root included.
  Eager,
  // For generated kernels: subtractions bring negative values to the
  // sign-dependent operations (and erf), and casts sit inside an
  // expression, since a cast at the root changes the output dtype, which
  // the kernels leave to eager.
  Kernel,
};

// Every operation of the IR. Inputs are positive (log, sqrt, rsqrt stay
// finite).
inline std::vector<OpCase> everyOperation(OpList form) {
  using T = const torch::Tensor&;
  const bool kernel = form == OpList::Kernel;
  std::vector<OpCase> cases = {
      {"add(%0,%1)", [](T a, T b, T) { return a + b; }},
      {"sub(%0,%1)", [](T a, T b, T) { return a - b; }},
      {"mul(%0,%1)", [](T a, T b, T) { return a * b; }},
      {"div(%0,%1)", [](T a, T b, T) { return a / b; }},
      {"max(%0,%1)", [](T a, T b, T) { return torch::maximum(a, b); }},
      {"min(%0,%1)", [](T a, T b, T) { return torch::minimum(a, b); }},
      {"neg(%0)", [](T a, T, T) { return -a; }},
      {"relu(sub(%0,%1))", [](T a, T b, T) { return torch::relu(a - b); }},
  };
  if (kernel)
    cases.insert(cases.end(),
                 {
                     {"gelu(sub(%0,%1))", [](T a, T b, T) { return torch::gelu(a - b); }},
                     {"silu(sub(%0,%1))", [](T a, T b, T) { return torch::silu(a - b); }},
                     {"sigmoid(sub(%0,%1))", [](T a, T b, T) { return torch::sigmoid(a - b); }},
                     {"tanh(sub(%0,%1))", [](T a, T b, T) { return torch::tanh(a - b); }},
                 });
  else
    cases.insert(cases.end(), {
                                  {"gelu(%0)", [](T a, T, T) { return torch::gelu(a); }},
                                  {"silu(%0)", [](T a, T, T) { return torch::silu(a); }},
                                  {"sigmoid(%0)", [](T a, T, T) { return torch::sigmoid(a); }},
                                  {"tanh(%0)", [](T a, T, T) { return torch::tanh(a); }},
                              });
  cases.insert(cases.end(), {
                                {"exp(%0)", [](T a, T, T) { return torch::exp(a); }},
                                {"log(%0)", [](T a, T, T) { return torch::log(a); }},
                                {"sqrt(%0)", [](T a, T, T) { return torch::sqrt(a); }},
                                {"rsqrt(%0)", [](T a, T, T) { return torch::rsqrt(a); }},
                            });
  if (kernel) cases.push_back({"erf(sub(%0,%1))", [](T a, T b, T) { return torch::erf(a - b); }});
  cases.push_back(
      {"where(sub(%0,%1),%1,%2)", [](T a, T b, T c) { return torch::where(a > b, b, c); }});
  if (kernel)
    cases.push_back({"add(cast_fp32(%0),%1)", [](T a, T b, T) { return a + b; }});
  else
    cases.push_back({"cast_fp32(%0)", [](T a, T, T) { return a; }});
  cases.push_back({"mul(cast_bf16(%0),2)",
                   [](T a, T, T) { return a.to(torch::kBFloat16).to(torch::kFloat) * 2; }});
  if (kernel) {
    cases.push_back({"mul(cast_fp16(%0),3)",
                     [](T a, T, T) { return a.to(torch::kHalf).to(torch::kFloat) * 3; }});
    cases.push_back({"add(mul(%0,%1),0.5)", [](T a, T b, T) { return a * b + 0.5; }});
  } else {
    cases.push_back(
        {"cast_fp16(%0)", [](T a, T, T) { return a.to(torch::kHalf).to(torch::kFloat); }});
  }
  return cases;
}

// Gradients of the fused node (symbolic backward, `device`'s kernels) against
// LibTorch autograd through the eager ops of the same expression. On CUDA the
// forward must be the generated kernel, not the eager fallback, and its
// fast-math forward is allowed an absolute 1e-5 (allclose's 1e-8 on the CPU).
inline void expectGradientsMatch(torch::Device device, const char* expr, int inputs, int params,
                                 at::IntArrayRef sizes,
                                 torch::MemoryFormat format = torch::MemoryFormat::Contiguous) {
  torch::manual_seed(7);
  std::vector<torch::Tensor> xs, ps;
  for (int i = 0; i < inputs; ++i)
    xs.push_back((torch::rand(sizes) + 0.2).to(device).contiguous(format).requires_grad_());
  for (int k = 0; k < params; ++k)
    ps.push_back((torch::rand({sizes[1]}) + 0.5).to(device).requires_grad_());
  torch::Tensor upstream = normal(sizes, device);

  kernels::FusedProgram program = kernels::FusedProgram::build(expr, inputs, params, std::nullopt);
  if (device.is_cuda()) {
    torch::NoGradGuard noGrad;
    std::string why;
    ASSERT_TRUE(kernels::runCudaFused(*program.forward, xs, ps, why).has_value())
        << expr << ": " << why;
  }
  torch::Tensor fused = kernels::applyFused(program, xs, ps);
  ASSERT_EQ(fused.device().type(), device.type()) << expr;
  std::vector<torch::Tensor> leaves(xs);
  leaves.insert(leaves.end(), ps.begin(), ps.end());
  std::vector<torch::Tensor> got =
      torch::autograd::grad({fused}, leaves, {upstream}, {}, false, /*allow_unused=*/true);

  torch::Tensor eager = kernels::evaluateEager(*kernels::parseExpr(expr), xs, ps);
  expectClose(fused, eager, 1e-5, device.is_cuda() ? 1e-5 : 1e-8, std::string(expr) + " forward");
  std::vector<torch::Tensor> want =
      torch::autograd::grad({eager}, leaves, {upstream}, {}, false, /*allow_unused=*/true);
  for (size_t i = 0; i < leaves.size(); ++i) {
    const std::string what = std::string(expr) + " gradient #" + std::to_string(i);
    if (!want[i].defined()) {
      EXPECT_FALSE(got[i].defined() && got[i].abs().max().item<float>() > 0) << what;
      continue;
    }
    ASSERT_TRUE(got[i].defined()) << what;
    EXPECT_EQ(got[i].device().type(), device.type()) << what;
    expectClose(got[i], want[i], 1e-4, 1e-5, what);
  }
}

// The fused optimizers' test parameters: empty, single-element, odd-sized,
// large (several CPU chunks on 2 threads, several CUDA blocks),
// channels-last, and one that misses gradients on odd steps.
inline std::vector<torch::Tensor> optimizerParams(torch::Device device = torch::kCPU,
                                                  torch::ScalarType dtype = torch::kFloat) {
  torch::manual_seed(7);
  std::vector<torch::Tensor> ps = {
      torch::randn({0}),
      torch::randn({1}),
      torch::randn({7}),
      torch::randn({3, 5, 7}),
      torch::randn({33, 17}),
      torch::randn({device.is_cuda() ? 1'000'003 : 70001}),
      torch::randn({16, 3, 3, 3}).contiguous(torch::MemoryFormat::ChannelsLast),
      torch::randn({5}), // gets no gradient on odd steps
  };
  for (torch::Tensor& p : ps)
    p = p.to(device, dtype).set_requires_grad(true);
  return ps;
}

inline std::vector<torch::Tensor> copies(const std::vector<torch::Tensor>& ps) {
  std::vector<torch::Tensor> out;
  for (const torch::Tensor& p : ps)
    out.push_back(p.detach().clone().set_requires_grad(true));
  return out;
}

// Two groups, as makeOptimizer builds them: the first decays, the second not.
inline std::vector<torch::optim::OptimizerParamGroup>
groupsOf(const std::vector<torch::Tensor>& ps, const torch::optim::OptimizerOptions& a,
         const torch::optim::OptimizerOptions& b) {
  std::vector<torch::Tensor> first(ps.begin(), ps.begin() + 5), second(ps.begin() + 5, ps.end());
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(first, a.clone());
  groups.emplace_back(second, b.clone());
  return groups;
}

// The same random gradient (same layout) for each parameter of both sets;
// the last parameter gets none on odd steps.
inline void setGradients(int step, const std::vector<torch::Tensor>& a,
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

// max |a - b| over max |b|: relative to the tensor's scale, so elements
// that pass through zero do not dominate.
inline double relativeError(const torch::Tensor& a, const torch::Tensor& b) {
  if (b.numel() == 0) return 0;
  double scale = std::max(b.abs().max().item<double>(), 1e-30);
  return (a - b).abs().max().item<double>() / scale;
}

// Parameters (same device and strides) and per-parameter state (SGD's
// momentum buffer, AdamW's step and moments) within `tolerance` of each
// tensor's scale.
inline void expectOptimizerStateClose(const std::vector<torch::Tensor>& fused,
                                      const std::vector<torch::Tensor>& ref,
                                      const torch::optim::Optimizer& fusedOpt,
                                      const torch::optim::Optimizer& refOpt, double tolerance) {
  for (size_t i = 0; i < fused.size(); ++i) {
    ASSERT_EQ(fused[i].device(), ref[i].device()) << "param " << i;
    ASSERT_EQ(fused[i].strides(), ref[i].strides()) << "param " << i;
    EXPECT_LE(relativeError(fused[i], ref[i]), tolerance) << "param " << i;
    const auto fk = fiver::torchcompat::optimizerStateKey(fused[i]);
    const auto rk = fiver::torchcompat::optimizerStateKey(ref[i]);
    ASSERT_EQ(fusedOpt.state().count(fk), refOpt.state().count(rk)) << "state of param " << i;
    if (!refOpt.state().count(rk)) continue;
    const auto& fs = *fusedOpt.state().at(fk);
    const auto& rs = *refOpt.state().at(rk);
    if (auto* r = dynamic_cast<const torch::optim::SGDParamState*>(&rs)) {
      auto& f = dynamic_cast<const torch::optim::SGDParamState&>(fs);
      EXPECT_LE(relativeError(f.momentum_buffer(), r->momentum_buffer()), tolerance)
          << "buffer " << i;
    } else {
      auto& r2 = dynamic_cast<const torch::optim::AdamWParamState&>(rs);
      auto& f = dynamic_cast<const torch::optim::AdamWParamState&>(fs);
      EXPECT_EQ(f.step(), r2.step()) << "step " << i;
      EXPECT_LE(relativeError(f.exp_avg(), r2.exp_avg()), tolerance) << "exp_avg " << i;
      EXPECT_LE(relativeError(f.exp_avg_sq(), r2.exp_avg_sq()), tolerance) << "exp_avg_sq " << i;
    }
  }
}

// `steps` steps of a fused optimizer and torch's reference over copies of
// the same parameters, each step on the same fresh gradients.
template <typename Fused, typename Reference>
void stepBoth(Fused& fused, Reference& reference, const std::vector<torch::Tensor>& a,
              const std::vector<torch::Tensor>& b, int steps) {
  for (int step = 0; step < steps; ++step) {
    setGradients(step, a, b);
    fused.step();
    reference.step();
  }
}

} // namespace fiver::kerneltest
