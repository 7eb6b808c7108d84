// low_precision_optimizer_state's effect: the composition matrix's probe and
// recipe line, and the method's own tests (milliseconds each): the state is
// 16-bit and half fp32's bytes, the steps follow torch's SGD and AdamW to
// bf16's precision, and stochastic rounding is unbiased.
#include "runtime/optim/CompactStateOptimizer.h"
#include "tests/composition/Probes.h"

#include <gtest/gtest.h>

namespace fiver::composition {
namespace {

using runtime::CompactStateOptimizer;
using runtime::CompactStateOptions;

// Every step is taken with 16-bit state, and the run's findings report it
// at half the bytes fp32 state would take.
class SixteenBitState : public Probe {
public:
  void afterMethods(Event e, const TrainState& s) override {
    if (e != Event::BeforeOptimizerStep) return;
    const auto* opt = dynamic_cast<const CompactStateOptimizer*>(&s.optimizer);
    expect(opt != nullptr,
           "step " + std::to_string(s.step) + " is not taken with 16-bit optimizer state");
    if (!opt) return;
    const runtime::StateBytes bytes = runtime::optimizerStateBytes(*opt);
    expect(bytes.stored > 0 && 2 * bytes.stored == bytes.fp32,
           "the optimizer state takes " + std::to_string(bytes.stored) + " bytes, not half of " +
               std::to_string(bytes.fp32));
    auto found = s.findings.find("low_precision_optimizer_state.state_bytes");
    expect(found != s.findings.end() && found->second == static_cast<double>(bytes.stored),
           "the run's findings do not report the state's bytes");
  }
};

const EffectRegistrar kEffect(MethodUnderTest{
    "low_precision_optimizer_state",
    "restrict training_algorithm static domain low_precision_optimizer_state",
    {InputKind::Image, InputKind::Text},
    [](const plan::Plan&) -> std::unique_ptr<Probe> {
      return std::make_unique<SixteenBitState>();
    }});

// --- the method's own tests ---

template <class TorchOptimizer, class TorchOptions>
void expectCloseSteps(CompactStateOptions mine, TorchOptions theirs) {
  torch::manual_seed(21);
  torch::Tensor a = torch::randn({64, 32}).requires_grad_();
  torch::Tensor b = a.detach().clone().requires_grad_();
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(std::vector<torch::Tensor>{a}, std::make_unique<CompactStateOptions>(mine));
  CompactStateOptimizer compact(std::move(groups), mine);
  TorchOptimizer reference(std::vector<torch::Tensor>{b}, theirs);
  const torch::Tensor start = a.detach().clone();
  for (int step = 0; step < 5; ++step) {
    const torch::Tensor g = torch::randn({64, 32});
    a.mutable_grad() = g.clone();
    b.mutable_grad() = g.clone();
    compact.step();
    reference.step();
  }
  // The moments lose bits, not direction: the weights' moves agree closely.
  const torch::Tensor ours = a.detach() - start, ref = b.detach() - start;
  EXPECT_LT((ours - ref).norm().item<double>(), 0.02 * ref.norm().item<double>());
  EXPECT_FALSE(torch::equal(a.detach(), b.detach())); // the state really is rounded
  const runtime::StateBytes bytes = runtime::optimizerStateBytes(compact);
  for (const auto& [key, state] : compact.state()) {
    const auto& s = static_cast<const runtime::CompactParamState&>(*state);
    EXPECT_EQ(s.exp_avg().scalar_type(), torch::kBFloat16);
  }
  EXPECT_EQ(bytes.stored * 2, bytes.fp32);
}

TEST(LowPrecisionOptimizerStateEffect, SgdAndAdamWStepAsTorchsWithHalfTheStateBytes) {
  CompactStateOptions sgd(0.1);
  sgd.momentum(0.9).nesterov(true).weight_decay(5e-4);
  expectCloseSteps<torch::optim::SGD>(
      sgd, torch::optim::SGDOptions(0.1).momentum(0.9).nesterov(true).weight_decay(5e-4));
  CompactStateOptions adamw(0.01);
  adamw.adamw(true).weight_decay(0.01);
  expectCloseSteps<torch::optim::AdamW>(adamw, torch::optim::AdamWOptions(0.01).weight_decay(0.01));
}

TEST(LowPrecisionOptimizerStateEffect, StochasticRoundingIsUnbiased) {
  torch::manual_seed(22);
  // 1 + 2^-10 lies between bf16's neighbours 1 and 1 + 2^-7, an eighth of the way.
  const torch::Tensor x = torch::full({20000}, 1.0 + 1.0 / 1024);
  const torch::Tensor nearest = runtime::roundForStorage(x, torch::kBFloat16, false);
  EXPECT_TRUE(torch::equal(nearest.to(torch::kFloat32), torch::ones({20000})));
  const torch::Tensor drawn =
      runtime::roundForStorage(x, torch::kBFloat16, true).to(torch::kFloat32);
  const double upShare = drawn.gt(1).to(torch::kFloat64).mean().item<double>();
  EXPECT_NEAR(upShare, 0.125, 0.015);
  EXPECT_NEAR(drawn.mean().item<double>(), 1.0 + 1.0 / 1024, 2e-4);
  // Negative values round in magnitude the same way.
  const torch::Tensor negative =
      runtime::roundForStorage(-x, torch::kBFloat16, true).to(torch::kFloat32);
  EXPECT_NEAR(negative.mean().item<double>(), -(1.0 + 1.0 / 1024), 2e-4);
}

} // namespace
} // namespace fiver::composition
