// Gradient compression in one process: each method must really replace the
// gradients by their compressed form, and keep what it dropped as an error.
#include "runtime/distributed/GradientCompression.h"
#include "runtime/train/Trainer.h"
#include "tests/runtime/TestPlans.h"

#include <gtest/gtest.h>

namespace fiver::runtime::distributed {
namespace {

using testing::tinyCnnPlan;

// One forward and backward pass on a training batch, gradients left in place.
void computeGradients(Trainer& t) {
  TrainState& s = t.state();
  torch::Tensor x = t.state().trainImages->narrow(0, 0, 32);
  torch::Tensor y = torch::randint(10, {32}, torch::kInt64);
  s.model->zero_grad();
  torch::nn::functional::cross_entropy(s.model->forward(x), y).backward();
}

TrainOptions quiet() {
  TrainOptions o;
  o.quiet = true;
  return o;
}

std::vector<torch::Tensor> gradientCopies(Trainer& t) {
  std::vector<torch::Tensor> out;
  for (const torch::Tensor& p : t.model()->parameters())
    out.push_back(p.grad().clone());
  return out;
}

TEST(CompressionTest, SignsSurvivePackingEightToAByte) {
  torch::Tensor x = torch::randn({1003});
  torch::Tensor packed = packSigns(x);
  EXPECT_EQ(packed.numel(), 126); // ceil(1003 / 8)
  EXPECT_EQ(packed.scalar_type(), torch::kUInt8);
  torch::Tensor signs = unpackSigns(packed, x.numel());
  EXPECT_TRUE(torch::equal(signs, torch::where(x >= 0, torch::ones_like(x), -torch::ones_like(x))));
}

TEST(CompressionTest, PowerSgdLeavesRankRGradientsAndKeepsTheError) {
  plan::Plan p = tinyCnnPlan();
  Trainer t(p, quiet());
  computeGradients(t);
  std::vector<torch::Tensor> before = gradientCopies(t);
  PowerSgd method(1, 0);
  method.apply(Event::AfterBackward, t.state());
  int compressed = 0;
  auto params = t.model()->parameters();
  for (size_t i = 0; i < params.size(); ++i) {
    torch::Tensor g = params[i].grad();
    if (g.dim() < 2) {
      EXPECT_TRUE(torch::equal(g, before[i])) << "1-D gradients pass unchanged";
      continue;
    }
    torch::Tensor m = g.reshape({g.size(0), -1});
    if (m.size(0) + m.size(1) >= m.size(0) * m.size(1)) continue; // not worth compressing
    ++compressed;
    EXPECT_FALSE(torch::allclose(g, before[i])) << "parameter " << i;
    torch::Tensor sv = torch::linalg_svdvals(m);
    EXPECT_LT(sv[1].item<double>(), 1e-4 * std::max(1e-12, sv[0].item<double>()))
        << "parameter " << i << " is not rank 1";
  }
  EXPECT_GE(compressed, 3);
  EXPECT_EQ(method.errors().size(), static_cast<size_t>(compressed));
  for (const auto& [key, error] : method.errors())
    EXPECT_GT(error.abs().sum().item<double>(), 0);
}

TEST(CompressionTest, SignCompressionSendsOneScaleTimesTheSigns) {
  plan::Plan p = tinyCnnPlan();
  Trainer t(p, quiet());
  computeGradients(t);
  std::vector<torch::Tensor> before = gradientCopies(t);
  SignCompression method(0);
  method.apply(Event::AfterBackward, t.state());
  auto params = t.model()->parameters();
  for (size_t i = 0; i < params.size(); ++i) {
    torch::Tensor g = params[i].grad();
    const double scale = before[i].abs().mean().item<double>();
    EXPECT_TRUE(torch::allclose(g.abs(), torch::full_like(g, scale))) << "parameter " << i;
    EXPECT_TRUE(torch::equal(g.ge(0), before[i].ge(0))) << "parameter " << i;
  }
  // Error feedback: the next step's compression starts from gradient + error,
  // so the same gradient twice does not give the same result twice.
  for (size_t i = 0; i < params.size(); ++i)
    params[i].mutable_grad() = before[i].clone();
  method.apply(Event::AfterBackward, t.state());
  bool changed = false;
  for (size_t i = 0; i < params.size(); ++i)
    changed |= !torch::allclose(params[i].grad().abs(),
                                torch::full_like(before[i], before[i].abs().mean().item<double>()));
  EXPECT_TRUE(changed);
}

} // namespace
} // namespace fiver::runtime::distributed
