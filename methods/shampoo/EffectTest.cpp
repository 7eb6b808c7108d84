// shampoo's effect: the composition matrix's probe and recipe line, and the
// preconditioner's own tests against the formulas on small matrices.
#include "methods/shampoo/Hook.h"
#include "runtime/methods/OptimizedParameters.h"
#include "tests/composition/Probes.h"

#include <gtest/gtest.h>

namespace fiver::composition {
namespace {

bool isMatrix(const torch::Tensor& p) {
  return p.dim() >= 2 && p.grad().defined() && p.size(0) >= 3 && p.numel() / p.size(0) >= 3;
}

torch::Tensor singularValues(const torch::Tensor& grad) {
  return torch::linalg::svdvals(grad.flatten(1).to(torch::kFloat64), c10::nullopt);
}

// On the first step the statistics are one gradient's own, so the
// preconditioned gradient is its polar factor (U Vᵀ of G = U S Vᵀ) scaled:
// the singular values of every direction the gradient really has come out
// equal (those far below epsilon's reach stay small). Checked on weights
// whose incoming gradient has a third singular value of at least 5% of its
// largest: centring (gradient_centralization, before shampoo) removes one
// direction, so the second one is then still well inside epsilon's reach.
// A raw gradient's two largest singular values practically never agree
// within 2%.
class WhitenedFirstStep : public Probe {
public:
  void beforeMethods(Event e, const TrainState& s) override {
    if (e != Event::BeforeOptimizerStep || s.step != 0) return;
    spread_.clear();
    for (const torch::Tensor& p : runtime::optimizedParameters(s.optimizer)) {
      if (!isMatrix(p)) {
        spread_.push_back(false);
        continue;
      }
      const torch::Tensor sv = singularValues(p.grad());
      spread_.push_back(sv[2].item<double>() >= 0.05 * sv[0].item<double>());
    }
  }
  void afterMethods(Event e, const TrainState& s) override {
    if (e != Event::BeforeOptimizerStep || s.step != 0) return;
    const std::vector<torch::Tensor> params = runtime::optimizedParameters(s.optimizer);
    for (size_t i = 0; i < params.size() && i < spread_.size(); ++i) {
      if (!spread_[i]) continue;
      const torch::Tensor sv = singularValues(params[i].grad());
      const double first = sv[0].item<double>(), second = sv[1].item<double>();
      expect(second >= 0.98 * first, "a " + std::to_string(params[i].size(0)) +
                                         "-row weight's applied gradient has singular values " +
                                         std::to_string(first) + " and " + std::to_string(second));
    }
  }

private:
  std::vector<bool> spread_; // by parameter: a gradient the check applies to
};

const EffectRegistrar kEffect(MethodUnderTest{
    "shampoo",
    "retrofit training_algorithm dynamic domain shampoo",
    {InputKind::Image, InputKind::Text},
    [](const plan::Plan&) { return std::make_unique<WhitenedFirstStep>(); },
    {{"powersgd", "it compresses every gradient to low rank before the optimizer step, so no "
                  "weight has the spread spectrum this probe checks"}}});

using runtime::ShampooPreconditioner;
using runtime::ShampooSettings;

torch::Tensor withGradient(const torch::Tensor& grad) {
  torch::Tensor p = torch::zeros_like(grad).requires_grad_(true);
  p.mutable_grad() = grad.clone();
  return p;
}

// M^power of a symmetric positive semi-definite matrix, regularized as the
// preconditioner does.
torch::Tensor matrixPower(const torch::Tensor& m, double power, double epsilon) {
  auto [values, vectors] = torch::linalg::eigh(m, "L");
  const torch::Tensor v = values.clamp_min(0) + epsilon * values.max();
  return (vectors * v.pow(power).unsqueeze(0)).mm(vectors.t());
}

torch::Tensor grafted(const torch::Tensor& direction, const torch::Tensor& g) {
  return direction * (g.norm() / direction.norm());
}

double maxDiff(const torch::Tensor& a, const torch::Tensor& b) {
  return (a.to(torch::kFloat64) - b.to(torch::kFloat64)).abs().max().item<double>();
}

TEST(ShampooEffect, FirstStepIsThePolarFactorAtTheGradientsNorm) {
  torch::manual_seed(0);
  const torch::Tensor g = torch::randn({6, 4}, torch::kFloat64);
  torch::Tensor p = withGradient(g);
  ShampooPreconditioner(ShampooSettings{10, 1e-12, 1024}).precondition({p}, 0);
  auto [u, s, vh] = torch::linalg::svd(g, false, c10::nullopt);
  EXPECT_LE(maxDiff(p.grad(), grafted(u.mm(vh), g)), 1e-9);
}

TEST(ShampooEffect, StatisticsAccumulateAndRootsRefreshEveryUpdate) {
  torch::manual_seed(1);
  const double eps = 1e-6;
  const torch::Tensor g1 = torch::randn({5, 3}, torch::kFloat64);
  const torch::Tensor g2 = torch::randn({5, 3}, torch::kFloat64);
  for (int64_t every : {1, 2}) {
    ShampooPreconditioner shampoo(ShampooSettings{every, eps, 1024});
    torch::Tensor p = withGradient(g1);
    shampoo.precondition({p}, 0);
    p.mutable_grad() = g2.clone();
    shampoo.precondition({p}, 1);
    // Refreshed at step 1 (every 1): both gradients' statistics; not
    // refreshed (every 2): the roots of step 0.
    const torch::Tensor left = every == 1 ? g1.mm(g1.t()) + g2.mm(g2.t()) : g1.mm(g1.t());
    const torch::Tensor right = every == 1 ? g1.t().mm(g1) + g2.t().mm(g2) : g1.t().mm(g1);
    const torch::Tensor want =
        grafted(matrixPower(left, -0.25, eps).mm(g2).mm(matrixPower(right, -0.25, eps)), g2);
    EXPECT_LE(maxDiff(p.grad(), want), 1e-9) << "update every " << every;
  }
}

TEST(ShampooEffect, ALongSideGetsNoFactorAndTheOtherSideTheSquareRoot) {
  torch::manual_seed(2);
  const torch::Tensor g = torch::randn({8, 3}, torch::kFloat64);
  torch::Tensor p = withGradient(g);
  ShampooPreconditioner(ShampooSettings{1, 1e-6, 4}).precondition({p}, 0);
  const torch::Tensor want = grafted(g.mm(matrixPower(g.t().mm(g), -0.5, 1e-6)), g);
  EXPECT_LE(maxDiff(p.grad(), want), 1e-9);
}

TEST(ShampooEffect, ConvolutionsAreFlattenedAndVectorsKeepTheirGradient) {
  torch::manual_seed(3);
  torch::Tensor conv = withGradient(torch::randn({4, 2, 3, 3}));
  torch::Tensor bias = withGradient(torch::randn({4}));
  const torch::Tensor biasGrad = bias.grad().clone();
  ShampooPreconditioner(ShampooSettings{1, 1e-12, 1024}).precondition({conv, bias}, 0);
  EXPECT_TRUE(torch::equal(bias.grad(), biasGrad));
  const torch::Tensor s =
      torch::linalg::svdvals(conv.grad().flatten(1).to(torch::kFloat64), c10::nullopt);
  EXPECT_LE((s / s[0] - 1).abs().max().item<double>(), 1e-4);
}

TEST(ShampooEffect, SavedStatisticsContinueExactly) {
  torch::manual_seed(4);
  const torch::Tensor g1 = torch::randn({5, 3}, torch::kFloat64);
  const torch::Tensor g2 = torch::randn({5, 3}, torch::kFloat64);
  ShampooPreconditioner first(ShampooSettings{2, 1e-6, 1024});
  torch::Tensor p = withGradient(g1);
  first.precondition({p}, 0);
  runtime::MethodState saved;
  first.saveState(saved);
  ShampooPreconditioner resumed(ShampooSettings{2, 1e-6, 1024});
  resumed.loadState(saved);
  torch::Tensor q = withGradient(g2);
  p.mutable_grad() = g2.clone();
  first.precondition({p}, 1);
  resumed.precondition({q}, 1);
  EXPECT_TRUE(torch::equal(p.grad(), q.grad()));
}

} // namespace
} // namespace fiver::composition
