// op_fusion on hand-built graphs: what joins a group, what stays out (freeze
// regions, memory formats, ops read elsewhere), the expression and what
// backward saves; and the verifier's checks of fused ops.
#include "compiler/ir/GraphBuilder.h"
#include "compiler/ir/Verifier.h"
#include "compiler/lower/Lower.h"
#include "methods/factorize/Pass.h"
#include "passes/PassManager.h"
#include "tests/passes/HandBuilt.h"
#include "tests/support/CompileText.h"

#include <gtest/gtest.h>

#include <algorithm>

using namespace fiver;
using namespace fiver::test;

namespace {

ir::TrainingGraph build(std::vector<LayerSpec> layers) {
  DiagnosticEngine diags;
  std::optional<ir::TrainingGraph> g = ir::buildGraph(handRecipe(std::move(layers)), diags);
  EXPECT_TRUE(g.has_value());
  return g ? std::move(*g) : ir::TrainingGraph{};
}

bool fuse(ir::TrainingGraph& g) {
  DiagnosticEngine diags;
  bool changed = passes::createPass("op_fusion")->run(g, diags);
  std::vector<std::string> problems = ir::verifyGraph(g);
  EXPECT_TRUE(problems.empty()) << problems.front();
  return changed;
}

std::vector<const ir::OpNode*> fusedOps(const ir::TrainingGraph& g) {
  std::vector<const ir::OpNode*> out;
  for (ir::OpId v : g.opsInOrder())
    if (g.model[v].kind == "fused") out.push_back(&g.model[v]);
  return out;
}

ir::OpNode& named(ir::TrainingGraph& g, const std::string& name) {
  for (ir::OpId v : g.opsInOrder())
    if (g.model[v].name == name) return g.model[v];
  throw std::runtime_error("no op " + name);
}

// conv1 bn1 relu1, then a residual block whose branch ends in relu2 and whose
// shortcut is a lone relu (relu3) of relu1: add1(relu2, relu3) -> relu4.
std::vector<LayerSpec> residualNet() {
  return {conv(8),          layer("bn"),
          layer("relu"),    residual({conv(8), layer("bn"), layer("relu")}, {layer("relu")}),
          layer("relu"),    layer("global_avgpool"),
          layer("flatten"), linear(10)};
}

} // namespace

TEST(OpFusion, ChainsOfActivationsBecomeOneExpression) {
  ir::TrainingGraph g = build({conv(8), layer("relu"), layer("gelu"), layer("silu"),
                               layer("global_avgpool"), layer("flatten"), linear(10)});
  ASSERT_TRUE(fuse(g));
  std::vector<const ir::OpNode*> fused = fusedOps(g);
  ASSERT_EQ(fused.size(), 1u);
  EXPECT_EQ(fused[0]->expr, "silu(gelu(relu(%0)))");
  EXPECT_EQ(plan::getString(fused[0]->attrs, "ops", ""), "relu,gelu,silu");
  EXPECT_EQ(plan::getString(fused[0]->attrs, "saved", ""), "%0");
  EXPECT_EQ(plan::getString(fused[0]->attrs, "params", "x"), "");
  EXPECT_EQ(boost::num_vertices(g.model), 6u); // input conv fused pool flatten linear
}

TEST(OpFusion, ResidualJoinTakesBothBranchesAndItsActivation) {
  ir::TrainingGraph g = build(residualNet());
  ASSERT_TRUE(fuse(g));
  std::vector<const ir::OpNode*> fused = fusedOps(g);
  ASSERT_EQ(fused.size(), 1u);
  // relu1 is read by conv2 and relu3, so it stays out.
  EXPECT_EQ(fused[0]->expr, "relu(add(relu(%0),relu(%1)))");
  EXPECT_EQ(plan::getString(fused[0]->attrs, "saved", ""), "%0,%1");
}

TEST(OpFusion, NoGroupStraddlesAFreezeStep) {
  ir::TrainingGraph g = build(residualNet());
  for (const char* name : {"conv1", "bn1"})
    named(g, name).freezeStep = 10;
  for (const char* name : {"conv2", "bn2"})
    named(g, name).freezeStep = 20;
  ASSERT_TRUE(fuse(g));
  std::vector<const ir::OpNode*> fused = fusedOps(g);
  ASSERT_EQ(fused.size(), 1u);
  // The shortcut's relu3 lies in conv1's region (no gradient after step 10),
  // the join in conv2's: relu3 stays a separate op.
  EXPECT_EQ(fused[0]->expr, "relu(add(relu(%0),%1))");
  EXPECT_NO_THROW(named(g, "relu3"));
}

TEST(OpFusion, NoGroupStraddlesALayoutChange) {
  ir::TrainingGraph g = build(residualNet());
  for (ir::OpId v : g.opsInOrder())
    if (g.model[v].shape.size() == 3 && g.model[v].kind != "input")
      g.model[v].memoryFormat = "channels_last";
  named(g, "relu3").memoryFormat = "contiguous";
  named(g, "relu1").memoryFormat = "contiguous";
  // The join reads relu3 in the other layout: a fused kernel reads one
  // layout, so the group is left as separate ops.
  EXPECT_FALSE(fuse(g));
  EXPECT_TRUE(fusedOps(g).empty());
  ASSERT_FALSE(g.notes.empty());
  EXPECT_NE(g.notes.back().find("left unfused at a layout border"), std::string::npos)
      << g.notes.back();
}

TEST(OpFusion, GatedAddsAndSingleOpsStay) {
  ir::TrainingGraph g = build(residualNet());
  named(g, "add1").attrs["drop"] = plan::Scalar::num(0.1);
  EXPECT_FALSE(fuse(g)); // relu4 alone, and the branch relus alone: no group of two
  EXPECT_TRUE(fusedOps(g).empty());
}

TEST(OpFusion, LoweringCarriesTheFusedOpIntoThePlan) {
  ir::TrainingGraph g = build(residualNet());
  ASSERT_TRUE(fuse(g));
  plan::Plan p = lower(g);
  const plan::Op* fused = nullptr;
  for (const plan::Op& op : p.ops)
    if (op.kind == "fused") fused = &op;
  ASSERT_NE(fused, nullptr);
  EXPECT_EQ(fused->expr, "relu(add(relu(%0),relu(%1)))");
  EXPECT_EQ(fused->inputs.size(), 2u);
  EXPECT_EQ(plan::getString(fused->attrs, "ops", ""), "relu,relu,add,relu");
  plan::Plan back = plan::parsePlan(plan::planToString(p), "fused.yaml");
  EXPECT_EQ(back, p);
}

TEST(Verifier, FusedOpsReadOnlyTheirInputs) {
  ir::TrainingGraph g = build(residualNet());
  ASSERT_TRUE(fuse(g));
  for (ir::OpId v : g.opsInOrder())
    if (g.model[v].kind == "fused") g.model[v].expr = "relu(add(%0,%2))";
  std::vector<std::string> problems = ir::verifyGraph(g);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("reads %2 but has 2 inputs"), std::string::npos);
}

TEST(Verifier, UnknownDtypesAreReported) {
  ir::TrainingGraph g = build(residualNet());
  named(g, "conv1").dtype = "fp8";
  std::vector<std::string> problems = ir::verifyGraph(g);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("unknown dtype fp8"), std::string::npos);
}

TEST(Factorize, SavingFollowsTheRankFormula) {
  // 3x3, 64 -> 64 at rank 16: 1 - 16 (64*9 + 64) / (64*64*9) = 0.7222...
  EXPECT_NEAR(passes::factorizedSaving(64, 64, 3, 16), 1.0 - 16.0 * 640 / 36864, 1e-12);
  // A 1x1 conv at half rank saves nothing.
  EXPECT_NEAR(passes::factorizedSaving(64, 64, 1, 32), 0.0, 1e-12);
}

TEST(OpFusion, RunsOnlyWhenCompilingWithFuse) {
  const std::string text = recipeWith("", "resnet_tiny(width: 4)");
  DiagnosticEngine diags;
  std::optional<plan::Plan> plain = compileText(text, diags);
  ASSERT_TRUE(plain);
  EXPECT_EQ(std::count(plain->passes.begin(), plain->passes.end(), "op_fusion"), 0);
  CompileOptions options;
  options.fuse = true;
  std::optional<plan::Plan> fused = compileText(text, diags, options);
  ASSERT_TRUE(fused);
  EXPECT_EQ(std::count(fused->passes.begin(), fused->passes.end(), "op_fusion"), 1);
  EXPECT_EQ(std::count_if(fused->ops.begin(), fused->ops.end(),
                          [](const plan::Op& op) { return op.kind == "fused"; }),
            3);
  EXPECT_EQ(fused->ops.size() + 3, plain->ops.size()); // three add+relu pairs became one op each
}
