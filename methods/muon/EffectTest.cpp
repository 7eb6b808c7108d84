// muon's effect: the composition matrix's probe and recipe line, and the
// method's own tests (milliseconds each): the Newton-Schulz iteration gives
// an approximate U V^T, the orthogonalized step is lr x that of the
// momentum, and the other parameters step exactly as torch's SGD and AdamW.
#include "methods/muon/Hook.h"
#include "runtime/optim/Muon.h"
#include "tests/composition/Probes.h"

#include <gtest/gtest.h>

#include <cmath>

namespace fiver::composition {
namespace {

using runtime::Muon;
using runtime::MuonOptions;
using runtime::MuonRule;

// Every step is Muon's, and it moves the first hidden matrix by lr x an
// (approximately) orthogonal matrix: the step's largest singular value,
// over lr x the aspect scale, is about 1 whatever the gradient's size.
class OrthogonalSteps : public Probe {
public:
  void afterMethods(Event e, const TrainState& s) override {
    if (e != Event::BeforeOptimizerStep) return;
    const auto* muon = dynamic_cast<const Muon*>(&s.optimizer);
    expect(muon != nullptr, "step " + std::to_string(s.step) + " is not taken by muon");
    weight_ = torch::Tensor();
    if (!muon || muon->param_groups().empty() || muon->param_groups()[0].params().empty()) return;
    const auto& group = muon->param_groups()[0];
    const auto& o = static_cast<const MuonOptions&>(group.options());
    const torch::Tensor& w = group.params()[0];
    if (!w.grad().defined()) return; // frozen this step
    weight_ = w;
    before_ = w.detach().clone();
    lr_ = o.lr() * o.lr_scale();
  }
  void beforeMethods(Event e, const TrainState& s) override {
    if (e != Event::AfterOptimizerStep || !weight_.defined()) return;
    const torch::Tensor step = (before_ - weight_.detach()).reshape({before_.size(0), -1});
    const double aspect = std::sqrt(
        std::max(1.0, static_cast<double>(step.size(0)) / static_cast<double>(step.size(1))));
    const double top =
        torch::linalg_svdvals(step.to(torch::kFloat64))[0].item<double>() / (lr_ * aspect);
    expect(top > 0.5 && top < 1.6, "step " + std::to_string(s.step) +
                                       ": the hidden matrix's step has top singular value " +
                                       std::to_string(top) + " x lr, not about 1");
  }

private:
  torch::Tensor weight_, before_;
  double lr_ = 0;
};

const EffectRegistrar kEffect(MethodUnderTest{
    "muon",
    "replace training_algorithm dynamic domain muon",
    {InputKind::Image, InputKind::Text},
    [](const plan::Plan&) -> std::unique_ptr<Probe> { return std::make_unique<OrthogonalSteps>(); },
    {{"progressive_growing", "blocks that have not joined get no gradient, "
                             "so their hidden matrices take no step"}}});

// --- the method's own tests ---

TEST(MuonEffect, NewtonSchulzGivesAnApproximatePolarFactor) {
  torch::manual_seed(11);
  for (auto shape : {std::vector<int64_t>{8, 20}, std::vector<int64_t>{30, 6}}) {
    const torch::Tensor g = torch::randn(shape) * 0.01; // the scale does not matter
    const torch::Tensor x = runtime::newtonSchulzOrthogonalize(g, 5);
    const torch::Tensor sv = torch::linalg_svdvals(x);
    EXPECT_GT(sv.min().item<double>(), 0.5) << sv;
    EXPECT_LT(sv.max().item<double>(), 1.3) << sv;
    auto [u, s, vh] = torch::linalg_svd(g, /*full_matrices=*/false);
    const torch::Tensor polar = u.mm(vh);
    const double cosine =
        (x * polar).sum().item<double>() / (x.norm() * polar.norm()).item<double>();
    EXPECT_GT(cosine, 0.95);
  }
}

TEST(MuonEffect, AHiddenMatrixMovesByLrTimesTheOrthogonalizedMomentum) {
  torch::manual_seed(12);
  torch::Tensor w = torch::randn({6, 2, 3, 3}).requires_grad_(); // a conv weight: 6 x 18
  const torch::Tensor start = w.detach().clone();
  const torch::Tensor grad = torch::randn({6, 2, 3, 3});
  MuonOptions o(0.1);
  o.lr_scale(0.5).momentum(0.9).nesterov(true);
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(std::vector<torch::Tensor>{w}, std::make_unique<MuonOptions>(o));
  Muon muon(std::move(groups), o);
  w.mutable_grad() = grad.clone();
  muon.step();
  // First step: the buffer is 0.1 g and the nesterov update 0.1 g + 0.9 x 0.1 g.
  const torch::Tensor update = (grad * (0.1 + 0.9 * 0.1)).reshape({6, -1});
  const torch::Tensor expected =
      start - 0.05 * runtime::newtonSchulzOrthogonalize(update, 5).view({6, 2, 3, 3});
  EXPECT_TRUE(torch::allclose(w.detach(), expected, 1e-5, 1e-6));
}

// The rest's rules match torch's optimizers over a few steps.
template <class TorchOptimizer, class TorchOptions>
void expectSameSteps(MuonOptions mine, TorchOptions theirs) {
  torch::manual_seed(13);
  torch::Tensor a = torch::randn({5, 4}).requires_grad_();
  torch::Tensor b = a.detach().clone().requires_grad_();
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(std::vector<torch::Tensor>{a}, std::make_unique<MuonOptions>(mine));
  Muon muon(std::move(groups), mine);
  TorchOptimizer reference(std::vector<torch::Tensor>{b}, theirs);
  for (int step = 0; step < 3; ++step) {
    const torch::Tensor g = torch::randn({5, 4});
    a.mutable_grad() = g.clone();
    b.mutable_grad() = g.clone();
    muon.step();
    reference.step();
  }
  EXPECT_TRUE(torch::allclose(a.detach(), b.detach(), 1e-5, 1e-6));
}

TEST(MuonEffect, TheRestStepsAsTheRecipesSgdOrAdamW) {
  MuonOptions sgd(0.1);
  sgd.rule(static_cast<int64_t>(MuonRule::Sgd)).momentum(0.9).nesterov(true).weight_decay(5e-4);
  expectSameSteps<torch::optim::SGD>(
      sgd, torch::optim::SGDOptions(0.1).momentum(0.9).nesterov(true).weight_decay(5e-4));
  MuonOptions adamw(0.01);
  adamw.rule(static_cast<int64_t>(MuonRule::AdamW)).weight_decay(0.01);
  expectSameSteps<torch::optim::AdamW>(adamw, torch::optim::AdamWOptions(0.01).weight_decay(0.01));
}

} // namespace
} // namespace fiver::composition
