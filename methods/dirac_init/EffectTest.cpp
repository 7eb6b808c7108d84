// dirac_init's effect: the composition matrix's probe and recipe line, and
// the method's own test on a tiny model.
#include "methods/dirac_init/Hook.h"
#include "tests/composition/Probes.h"
#include "tests/support/CompileText.h"

#include "compiler/plan/OpKinds.h"

#include <gtest/gtest.h>

namespace fiver::composition {
namespace {

// Where filter d of a convolution is not the identity on channel d, for the
// first min(in, out) filters: "" when all are.
std::string notIdentity(const std::string& name, const torch::Tensor& weight) {
  const int64_t n = std::min(weight.size(0), weight.size(1)), c = weight.size(2) / 2;
  torch::Tensor expected = torch::zeros({n, weight.size(1), weight.size(2), weight.size(3)});
  for (int64_t d = 0; d < n; ++d)
    expected[d][d][c][c] = 1;
  if (torch::equal(weight.detach().narrow(0, 0, n).to(torch::kFloat32), expected)) return "";
  return name + "'s first " + std::to_string(n) + " filters are not the identity";
}

// Before the first step every convolution with one group passes its first
// min(in, out) channels through.
class IdentityStart : public Probe {
public:
  void afterMethods(Event e, const TrainState& s) override {
    if (e != Event::FitStart) return;
    for (const plan::Op& op : s.model->ops()) {
      if (!plan::isKind(op.kind, plan::OpKind::Conv) || plan::getNumber(op.attrs, "groups", 1) > 1)
        continue;
      const std::string wrong = notIdentity(op.name, s.model->parametersOf(op.name).at(0));
      expect(wrong.empty(), wrong);
    }
  }
};

const EffectRegistrar kEffect(MethodUnderTest{
    "dirac_init",
    "restrict training_algorithm static domain dirac_init",
    {InputKind::Image},
    [](const plan::Plan&) { return std::make_unique<IdentityStart>(); },
    {{"patch_whitening", "it sets the first convolution's filters after dirac_init"}}});

TEST(DiracInitEffect, TheFirstFiltersPassTheirChannelThroughAndTheRestKeepTheirDraw) {
  DiagnosticEngine diags;
  std::optional<plan::Plan> p = test::compileText(R"(task tiny_images {
  dataset synthetic
  input [3, 8, 8]
  classes 4
  train_size 16
  test_size 16
  metric accuracy
}
recipe t {
  task tiny_images
  model small_cnn(width: 4)
  optimizer sgd(lr: 0.1)
  schedule constant
  batch_size 16
  budget 1 epochs
}
)",
                                                  diags);
  ASSERT_TRUE(p);
  torch::manual_seed(0);
  runtime::PlanModel model(p->ops);
  EXPECT_EQ(runtime::diracInitialize(model), 5); // small_cnn's five convolutions
  std::vector<const plan::Op*> convs;
  for (const plan::Op& op : p->ops)
    if (plan::isKind(op.kind, plan::OpKind::Conv)) convs.push_back(&op);
  ASSERT_EQ(convs.size(), 5u);
  const std::string second = convs[1]->name; // 4 -> 8 channels
  const torch::Tensor w = model->parametersOf(second).at(0);
  ASSERT_EQ(w.size(0), 8);
  ASSERT_EQ(w.size(1), 4);
  EXPECT_EQ(notIdentity(second, w), "");
  // Filters 4..7 keep their random draw.
  const torch::Tensor drawn = w.detach().narrow(0, 4, 4);
  EXPECT_EQ(drawn.count_nonzero().item<int64_t>(), drawn.numel());
}

} // namespace
} // namespace fiver::composition
