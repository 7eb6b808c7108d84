#include "compiler/ir/GraphBuilder.h"
#include "compiler/ir/GraphPrinter.h"
#include "compiler/ir/Verifier.h"
#include "passes/PassManager.h"
#include "tests/support/CompileText.h"

#include <gtest/gtest.h>

#include <stdexcept>

using namespace fiver;
using namespace fiver::test;

namespace {

ir::TrainingGraph graphFor(const std::string& text) {
  CheckOutcome out = checkText(text);
  EXPECT_TRUE(out.recipe) << out.rendered();
  DiagnosticEngine diags;
  std::optional<ir::TrainingGraph> g = ir::buildGraph(*out.recipe, diags);
  EXPECT_TRUE(g.has_value());
  return std::move(*g);
}

bool runPass(const std::string& name, ir::TrainingGraph& g, DiagnosticEngine& diags) {
  std::unique_ptr<passes::Pass> pass = passes::createPass(name);
  pass->run(g, diags);
  return !diags.hasErrors() && ir::verifyGraph(g).empty();
}

// A CNN whose head takes the max over H and W instead of the mean.
const std::string kMaxPoolCnn = "model strong_cnn() {\n"
                                "  conv(out: 16) maxpool(2) bn relu\n"
                                "  conv(out: 32) bn relu\n"
                                "  conv(out: 32) maxpool(2) bn relu\n"
                                "  conv(out: 64) bn relu\n"
                                "  conv(out: 64) bn relu\n"
                                "  global_maxpool\n"
                                "  flatten\n"
                                "  linear(out: classes)\n"
                                "}\n";

const ir::OpNode& opOfKind(const ir::TrainingGraph& g, const std::string& kind) {
  for (ir::OpId v : g.opsInOrder())
    if (g.model[v].kind == kind) return g.model[v];
  throw std::runtime_error("no " + kind + " op");
}

} // namespace

TEST(Graph, InfersShapesAndTimeline) {
  ir::TrainingGraph g = graphFor(recipeWith("  batch_size 100\n"));
  EXPECT_TRUE(ir::verifyGraph(g).empty());
  std::vector<ir::OpId> ops = g.opsInOrder();
  EXPECT_EQ(g.model[ops.front()].shape, (std::vector<int64_t>{1, 28, 28}));
  EXPECT_EQ(g.model[ops.back()].shape, (std::vector<int64_t>{10}));
  EXPECT_EQ(g.timeline.stepsPerEpoch, 600);
  EXPECT_EQ(g.timeline.totalSteps, 1200);
  // The residual's add reads the branch first, then the shortcut.
  for (ir::OpId v : ops)
    if (g.model[v].kind == "add") {
      EXPECT_EQ(g.inputsOf(v).size(), 2u);
    }
}

TEST(Graph, ShapeErrorsPointAtTheLayer) {
  CheckOutcome out =
      checkText("model bad {\n  flatten\n  conv(out: 4)\n}\n" + recipeWith("", "bad"));
  ASSERT_TRUE(out.recipe);
  DiagnosticEngine diags;
  EXPECT_FALSE(ir::buildGraph(*out.recipe, diags));
  ASSERT_TRUE(diags.hasErrors());
  EXPECT_EQ(diags.diagnostics()[0].id, DiagId::ShapeError);
  EXPECT_EQ(diags.diagnostics()[0].range.begin.line, 3u);

  CheckOutcome residual = checkText(
      "model bad2 {\n  conv(out: 4)\n  residual { conv(out: 8) }\n  global_avgpool flatten "
      "linear(out: classes)\n}\n" +
      recipeWith("", "bad2"));
  DiagnosticEngine d2;
  EXPECT_FALSE(ir::buildGraph(*residual.recipe, d2));
  EXPECT_NE(d2.diagnostics().at(0).message.find("shortcut"), std::string::npos);
}

TEST(Graph, GlobalMaxPoolKeepsOnePixelPerChannel) {
  ir::TrainingGraph g = graphFor(kMaxPoolCnn + recipeWith("", "strong_cnn()"));
  EXPECT_TRUE(ir::verifyGraph(g).empty());
  const ir::OpNode& pool = opOfKind(g, "global_maxpool");
  EXPECT_EQ(pool.name, "global_maxpool1");
  EXPECT_EQ(pool.shape, (std::vector<int64_t>{64, 1, 1}));
  EXPECT_EQ(opOfKind(g, "flatten").shape, (std::vector<int64_t>{64}));

  CheckOutcome flat =
      checkText("model bad {\n  flatten\n  global_maxpool\n}\n" + recipeWith("", "bad"));
  ASSERT_TRUE(flat.recipe);
  DiagnosticEngine diags;
  EXPECT_FALSE(ir::buildGraph(*flat.recipe, diags));
  ASSERT_TRUE(diags.hasErrors());
  EXPECT_EQ(diags.diagnostics()[0].id, DiagId::ShapeError);
  EXPECT_EQ(diags.diagnostics()[0].range.begin.line, 3u);
}

TEST(ProgressiveResolution, AcceptsAModelEndingInGlobalMaxPool) {
  const std::string text =
      kMaxPoolCnn + recipeWith("  reorder training_data dynamic domain progressive_resize(from: "
                               "0.5, multiple: 4)\n"
                               "  reorder derived_data static domain channels_last\n",
                               "strong_cnn()");
  ir::TrainingGraph g = graphFor(text);
  DiagnosticEngine diags;
  ASSERT_TRUE(runPass("progressive_resolution", g, diags));
  ASSERT_GE(g.resolution.size(), 2u);
  EXPECT_EQ(g.resolution.front().height, 16); // 0.5 * 28 = 14 -> nearest multiple of 4
  EXPECT_EQ(g.resolution.back().height, 28);

  // The whole pipeline, channels_last included, lowers it to a plan.
  DiagnosticEngine compileDiags;
  std::optional<plan::Plan> p = compileText(text, compileDiags);
  ASSERT_TRUE(p) << (compileDiags.diagnostics().empty() ? ""
                                                        : compileDiags.diagnostics()[0].message);
  EXPECT_FALSE(p->resolution.empty());
  bool found = false;
  for (const plan::Op& op : p->ops)
    if (op.kind == "global_maxpool") {
      found = true;
      EXPECT_EQ(op.shape, (std::vector<int64_t>{64, 1, 1}));
    }
  EXPECT_TRUE(found);
}

TEST(ProgressiveResolution, StagesGrowToFullSize) {
  ir::TrainingGraph g =
      graphFor(recipeWith("  reorder training_data dynamic domain progressive_resize(from: 0.25, "
                          "until: 80%, multiple: 2)\n"));
  DiagnosticEngine diags;
  ASSERT_TRUE(runPass("progressive_resolution", g, diags));
  ASSERT_GE(g.resolution.size(), 3u);
  EXPECT_EQ(g.resolution.front().startStep, 0);
  EXPECT_EQ(g.resolution.front().height, 8); // 0.25 * 28 = 7 -> nearest multiple of 2
  EXPECT_EQ(g.resolution.back().height, 28);
  EXPECT_LE(g.resolution.back().startStep, static_cast<int64_t>(0.8 * g.timeline.totalSteps) + 1);
  for (size_t i = 1; i < g.resolution.size(); ++i) {
    EXPECT_GT(g.resolution[i].startStep, g.resolution[i - 1].startStep);
    EXPECT_GT(g.resolution[i].height, g.resolution[i - 1].height);
    EXPECT_EQ(g.resolution[i].height % 2, 0);
  }
}

TEST(ProgressiveResolution, RejectsModelsThatNeedAFixedSize) {
  ir::TrainingGraph g =
      graphFor(recipeWith("  reorder training_data dynamic domain progressive_resize\n", "mlp"));
  DiagnosticEngine diags;
  EXPECT_FALSE(runPass("progressive_resolution", g, diags));
  EXPECT_EQ(diags.diagnostics().at(0).id, DiagId::ModelNeedsFixedSize);
}

TEST(LayerFreezing, FreezesFrontToBackAndKeepsTheClassifier) {
  ir::TrainingGraph g = graphFor(recipeWith(
      "  reorder model_parameters dynamic domain layer_freezing(start: 50%, end: 90%)\n"));
  DiagnosticEngine diags;
  ASSERT_TRUE(runPass("layer_freezing", g, diags));
  int64_t previous = -1;
  for (ir::OpId v : g.opsInOrder()) {
    const ir::OpNode& op = g.model[v];
    if (op.kind == "conv") {
      EXPECT_GE(op.freezeStep, previous);
      EXPECT_GE(op.freezeStep, g.timeline.totalSteps / 2);
      previous = op.freezeStep;
    }
    if (op.kind == "bn") {
      EXPECT_EQ(op.freezeStep, g.model[g.inputsOf(v)[0]].freezeStep);
    }
    if (op.kind == "linear") {
      EXPECT_EQ(op.freezeStep, -1);
    }
  }
  EXPECT_EQ(previous, static_cast<int64_t>(std::llround(0.9 * g.timeline.totalSteps)));
}

TEST(ChannelsLast, MarksConvolutionRegionsAndCountsConversions) {
  ir::TrainingGraph g =
      graphFor(recipeWith("  reorder derived_data static domain channels_last\n"));
  DiagnosticEngine diags;
  ASSERT_TRUE(runPass("channels_last", g, diags));
  for (ir::OpId v : g.opsInOrder()) {
    const ir::OpNode& op = g.model[v];
    bool image = op.shape.size() == 3 && op.kind != "input";
    EXPECT_EQ(op.memoryFormat == "channels_last", image) << op.name;
  }
  // input -> conv1 is the only conversion: the pooled 1x1 map is layout-free.
  EXPECT_EQ(g.notes.back(), "channels_last: 1 layout conversions");
}

TEST(PassManager, PipelineFollowsTheRecipesMethods) {
  CheckOutcome out =
      checkText(recipeWith("  reorder training_data dynamic domain progressive_resize\n"
                           "  reorder derived_data static domain channels_last\n"));
  passes::PassManager pm;
  DiagnosticEngine diags;
  ASSERT_TRUE(pm.buildPipelineFor(*out.recipe, diags));
  std::ostringstream os;
  pm.printPipeline(os);
  EXPECT_EQ(os.str(), "channels_last\nprogressive_resolution\n");
}
