// Causal attention through LibTorch's fused kernel (CUDA, LibTorch 2.x)
// computes what the explicit scores compute, outputs and gradients, with and
// without ALiBi. Without a CUDA device the CUDA tests skip; the CPU never
// takes the fused path.
#include "runtime/model/FusedAttention.h"
#include "runtime/model/SequenceOps.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace fiver::runtime {
namespace {

TEST(FusedAttention, TheCpuKeepsItsOwnProducts) {
  EXPECT_FALSE(fusedAttentionApplies(torch::randn({4, 8, 16})));
}

// One forward and backward of a causal attention layer on CUDA, fused or
// not (FIVER_FUSED_ATTENTION), from the same weights and input.
struct AttentionRun {
  torch::Tensor output, inputGrad;
  std::vector<torch::Tensor> weightGrads;
};

AttentionRun runAttention(bool alibi, bool fused, torch::ScalarType dtype) {
  setenv("FIVER_FUSED_ATTENTION", fused ? "1" : "0", 1);
  torch::manual_seed(0);
  CausalSelfAttention attention(64, 4, alibi);
  attention->to(torch::kCUDA, dtype);
  torch::Tensor x =
      torch::randn({3, 37, 64}, torch::TensorOptions(torch::kCUDA).dtype(dtype)).requires_grad_();
  torch::Tensor y = attention->forward(x);
  (y.square().sum()).backward();
  AttentionRun run{y.detach().to(torch::kFloat32), x.grad().to(torch::kFloat32), {}};
  for (const torch::Tensor& p : attention->parameters())
    run.weightGrads.push_back(p.grad().to(torch::kFloat32));
  unsetenv("FIVER_FUSED_ATTENTION");
  return run;
}

void expectSameAttention(bool alibi, torch::ScalarType dtype, double tolerance) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  torch::Tensor probe = torch::zeros({1, 1, 1}, torch::kCUDA);
  if (!fusedAttentionApplies(probe)) GTEST_SKIP() << "LibTorch before 2.0: no fused attention";
  const AttentionRun fused = runAttention(alibi, true, dtype);
  const AttentionRun plain = runAttention(alibi, false, dtype);
  auto diff = [](const torch::Tensor& a, const torch::Tensor& b) {
    return (a - b).abs().max().item<double>() / std::max(1.0, b.abs().max().item<double>());
  };
  EXPECT_LE(diff(fused.output, plain.output), tolerance);
  EXPECT_LE(diff(fused.inputGrad, plain.inputGrad), tolerance);
  ASSERT_EQ(fused.weightGrads.size(), plain.weightGrads.size());
  for (size_t i = 0; i < fused.weightGrads.size(); ++i)
    EXPECT_LE(diff(fused.weightGrads[i], plain.weightGrads[i]), tolerance) << i;
}

TEST(CudaFusedAttention, EqualsTheExplicitScores) {
  expectSameAttention(/*alibi=*/false, torch::kFloat32, 1e-4);
}

TEST(CudaFusedAttention, EqualsTheExplicitScoresWithAlibi) {
  expectSameAttention(/*alibi=*/true, torch::kFloat32, 1e-4);
}

TEST(CudaFusedAttention, EqualsTheExplicitScoresInBf16) {
  expectSameAttention(/*alibi=*/false, torch::kBFloat16, 3e-2);
}

} // namespace
} // namespace fiver::runtime
