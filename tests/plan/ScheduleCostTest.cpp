// 5rc compile --cost: per-step cost before and after the passes, and the
// schedule's segments (input sizes, frozen prefixes) summed over the budget.
#include "compiler/pipeline/ScheduleCost.h"
#include "compiler/ir/GraphBuilder.h"
#include "compiler/lower/Lower.h"
#include "compiler/plan/OpCost.h"
#include "passes/PassManager.h"
#include "tests/support/CompileText.h"

#include <gtest/gtest.h>

#include <sstream>

using namespace fiver;

namespace {

struct Graphs {
  ir::TrainingGraph before, after;
};

Graphs compileGraphs(const std::string& lines, const std::string& model = "small_cnn(width: 8)") {
  test::CheckOutcome c = test::checkText(test::recipeWith(lines, model));
  EXPECT_TRUE(c.recipe) << c.rendered();
  DiagnosticEngine diags;
  std::optional<ir::TrainingGraph> g = ir::buildGraph(*c.recipe, diags);
  EXPECT_TRUE(g);
  Graphs out{*g, *g};
  passes::PassManager pm;
  EXPECT_TRUE(pm.buildPipelineFor(*c.recipe, diags));
  EXPECT_TRUE(pm.run(out.after, {}, diags));
  return out;
}

} // namespace

TEST(ScheduleCost, WithoutPassesEveryStepCostsTheSame) {
  Graphs g = compileGraphs("");
  CostReport r = costReport(g.before, g.after);
  EXPECT_EQ(r.before.flops(), r.after.flops());
  ASSERT_EQ(r.schedule.size(), 1u);
  EXPECT_EQ(r.schedule[0].endStep, r.totalSteps);
  EXPECT_DOUBLE_EQ(r.scheduleFlops, r.beforeFlops);
  // The sum of OpCost over the plan's ops, nothing else.
  plan::Plan p = lower(g.before);
  double forward = 0;
  for (const plan::OpCost& c : plan::planOpCosts(p, p.training.batchSize))
    forward += c.forwardFlops;
  EXPECT_DOUBLE_EQ(r.before.forwardFlops, forward);
  EXPECT_GT(r.before.backwardFlops, r.before.forwardFlops);
}

TEST(ScheduleCost, SmallImagesAndFrozenPrefixesMakeStepsCheaper) {
  Graphs g = compileGraphs(
      "  reorder training_data dynamic domain progressive_resize(from: 0.5, until: 40%)\n"
      "  reorder model_parameters dynamic domain layer_freezing(start: 50%, end: 90%)\n");
  CostReport r = costReport(g.before, g.after);
  ASSERT_GE(r.schedule.size(), 4u);
  EXPECT_EQ(r.schedule.front().firstStep, 0);
  EXPECT_EQ(r.schedule.back().endStep, r.totalSteps);
  for (size_t i = 1; i < r.schedule.size(); ++i)
    EXPECT_EQ(r.schedule[i].firstStep, r.schedule[i - 1].endStep);
  // Early steps see smaller images; the forward cost grows with the size.
  EXPECT_LT(r.schedule.front().height, 28);
  EXPECT_LT(r.schedule.front().perStep.forwardFlops, r.after.forwardFlops);
  // Once everything but the classifier is frozen, backward is the classifier's.
  const ScheduleSegment& last = r.schedule.back();
  EXPECT_GT(last.frozenOps, 0);
  EXPECT_LT(last.perStep.backwardFlops, 0.01 * r.after.backwardFlops);
  EXPECT_LT(last.perStep.trainableParameters, last.perStep.parameters);
  EXPECT_LT(r.scheduleFlops, r.beforeFlops);

  std::ostringstream os;
  printCostReport(os, r);
  EXPECT_NE(os.str().find("before passes"), std::string::npos);
  EXPECT_NE(os.str().find("total: "), std::string::npos) << os.str();
}

TEST(ScheduleCost, FactorizeLowersTheStepCost) {
  Graphs g = compileGraphs(
      "  restrict model_parameters static domain factorize(rank: 0.25, min_channels: 16)\n",
      "small_cnn(width: 32)");
  CostReport r = costReport(g.before, g.after);
  EXPECT_LT(r.after.forwardFlops, r.before.forwardFlops);
  EXPECT_LT(r.after.parameters, r.before.parameters);
}
