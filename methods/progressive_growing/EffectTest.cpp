// progressive_growing's effect: the composition matrix's probe and recipe
// line, and the method's own tests of its growth schedule.
#include "compiler/plan/OpKinds.h"
#include "methods/progressive_growing/Hook.h"
#include "methods/progressive_growing/Pass.h"
#include "runtime/model/ResidualSkip.h"
#include "tests/composition/Probes.h"
#include "tests/composition/ResidualBranchProbes.h"

#include <gtest/gtest.h>

#include <optional>

namespace fiver::composition {
namespace {

// Progressive growing (the card): a block that has not joined yet trains
// nothing in a step (no parameter of its branch gets a gradient) while the
// blocks that joined do; a block whose branch ends in a layer starts with
// that layer at zero. A run that trains every block from the start, or never
// lets a block join, fails.
class GrowingBlocks : public Probe {
public:
  void afterMethods(Event e, const TrainState& s) override {
    if (e == Event::FitStart) start(s);
  }
  void beforeMethods(Event e, const TrainState& s) override {
    if (e == Event::AfterBackward) checkStep(s);
  }
  void finish(runtime::Trainer&) override {
    expect(waitedUntrained_ > 0, "no block was seen waiting to join");
    expect(joinedTrained_ > 0, "no block that joined was seen training");
  }

private:
  void start(const TrainState& s) {
    blocks_ = runtime::laterBlocks(s.model->ops());
    expect(!blocks_.empty(), "no residual block joins later");
    for (const runtime::LaterBlock& b : blocks_) {
      const plan::Op& join = s.model->ops()[static_cast<size_t>(b.add)];
      const int lastOp = join.inputs[0] == runtime::residualSkipInput(s.model->ops(), b.add)
                             ? join.inputs[1]
                             : join.inputs[0];
      const plan::Op& last = s.model->ops()[static_cast<size_t>(lastOp)];
      if (!plan::isKind(last.kind, plan::OpKind::BatchNorm) &&
          !plan::isKind(last.kind, plan::OpKind::Linear))
        continue;
      for (const torch::Tensor& p : s.model->parametersOf(last.name))
        expect(p.abs().max().item<double>() == 0,
               "the last layer of the block of " + join.name + " does not start at zero");
    }
  }
  void checkStep(const TrainState& s) {
    for (const runtime::LaterBlock& b : blocks_) {
      const std::optional<bool> got = branchGotGradient(s.model, branchOps(s.model->ops(), b.add));
      if (!got) continue; // frozen by another method
      const std::string& name = s.model->ops()[static_cast<size_t>(b.add)].name;
      if (s.step < b.joinStep) {
        expect(!*got, "the block of " + name + " trained at step " + std::to_string(s.step) +
                          ", before it joins at step " + std::to_string(b.joinStep));
        waitedUntrained_ += *got ? 0 : 1;
      } else {
        expect(*got, "the block of " + name + " did not train at step " + std::to_string(s.step) +
                         ", after it joined");
        joinedTrained_ += *got ? 1 : 0;
      }
    }
  }
  std::vector<runtime::LaterBlock> blocks_;
  int waitedUntrained_ = 0, joinedTrained_ = 0;
};

const EffectRegistrar kEffect(MethodUnderTest{
    "progressive_growing",
    "reorder architecture dynamic domain progressive_growing(start: 0%, until: 60%)",
    {InputKind::Image, InputKind::Text},
    [](const plan::Plan&) -> std::unique_ptr<Probe> { return std::make_unique<GrowingBlocks>(); },
    {{"kaiming_init", "its zero_init_residual zeroes the norm before a branch's final ReLU, so "
                      "such a block passes no gradient after it joins"}}});

TEST(ProgressiveGrowingEffect, BlocksJoinEvenlyUntilTheirFractionOfTheBudget) {
  // 8 blocks, half from the start, the rest by 50% of 1000 steps.
  EXPECT_EQ(passes::growSteps(8, 0.5, 0.5, 1000),
            (std::vector<int64_t>{0, 0, 0, 0, 125, 250, 375, 500}));
  // start 0%: every block joins later, the last at `until`.
  EXPECT_EQ(passes::growSteps(3, 0, 0.6, 3), (std::vector<int64_t>{1, 1, 2}));
  // start 100%: the whole network trains throughout.
  EXPECT_EQ(passes::growSteps(4, 1, 0.5, 100), (std::vector<int64_t>(4, 0)));
}

TEST(ProgressiveGrowingEffect, OnlyBlocksThatHaveNotJoinedAreSkipped) {
  const std::vector<runtime::LaterBlock> blocks = {{5, 10}, {9, 20}};
  EXPECT_EQ(runtime::blocksNotYetJoined(blocks, 0), (std::set<int>{5, 9}));
  EXPECT_EQ(runtime::blocksNotYetJoined(blocks, 10), (std::set<int>{9}));
  EXPECT_TRUE(runtime::blocksNotYetJoined(blocks, 20).empty());
}

} // namespace
} // namespace fiver::composition
