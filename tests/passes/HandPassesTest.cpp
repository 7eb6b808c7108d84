// Each pass on hand-written recipes, and the pass manager's pipeline, dumps,
// timings and verifier.
#include "compiler/ir/GraphBuilder.h"
#include "compiler/ir/Verifier.h"
#include "compiler/pipeline/Compile.h"
#include "passes/PassManager.h"
#include "tests/passes/HandBuilt.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

using namespace fiver;
using namespace fiver::test;

namespace {

ir::TrainingGraph build(const CheckedRecipe& r) {
  DiagnosticEngine diags;
  std::optional<ir::TrainingGraph> g = ir::buildGraph(r, diags);
  EXPECT_TRUE(g.has_value());
  return g ? std::move(*g) : ir::TrainingGraph{};
}

CheckedRecipe withMethods(std::vector<LayerSpec> layers, std::vector<MethodUse> methods) {
  CheckedRecipe r = handRecipe(std::move(layers));
  r.methods = std::move(methods);
  return r;
}

bool run(const std::string& pass, ir::TrainingGraph& g, DiagnosticEngine& diags) {
  passes::createPass(pass)->run(g, diags);
  EXPECT_TRUE(ir::verifyGraph(g).empty()) << pass;
  return !diags.hasErrors();
}

const ir::OpNode& op(const ir::TrainingGraph& g, const std::string& name) {
  for (ir::OpId v : g.opsInOrder())
    if (g.model[v].name == name) return g.model[v];
  throw std::runtime_error("no op " + name);
}

} // namespace

TEST(ProgressiveResolutionPass, StagesAreMonotonicMultiplesEndingAtFullSize) {
  ir::TrainingGraph g = build(withMethods(smallCnn(), {progressiveResize(0.5, 50, 4)}));
  DiagnosticEngine diags;
  ASSERT_TRUE(run("progressive_resolution", g, diags));
  const auto& stages = g.resolution;
  ASSERT_GE(stages.size(), 3u);
  EXPECT_EQ(stages.front().startStep, 0);
  EXPECT_EQ(stages.front().height, 16); // round(0.5 * 28 / 4) * 4
  for (size_t i = 0; i < stages.size(); ++i) {
    EXPECT_EQ(stages[i].height % 4, 0);
    EXPECT_EQ(stages[i].height, stages[i].width);
    if (i == 0) continue;
    EXPECT_GT(stages[i].startStep, stages[i - 1].startStep);
    EXPECT_GT(stages[i].height, stages[i - 1].height);
  }
  EXPECT_EQ(stages.back().height, 28);
  EXPECT_LE(stages.back().startStep, 60); // full size by until x total = 0.5 x 120
  EXPECT_EQ(g.timeline.events.size(), stages.size());
  EXPECT_EQ(g.notes.back(), "progressive_resolution: " + std::to_string(stages.size()) + " stages");
}

TEST(ProgressiveResolutionPass, SizesNeverDropBelowTheMultiple) {
  ir::TrainingGraph g = build(withMethods(smallCnn(), {progressiveResize(0.1, 100, 8)}));
  DiagnosticEngine diags;
  ASSERT_TRUE(run("progressive_resolution", g, diags));
  EXPECT_EQ(g.resolution.front().height, 8);
  EXPECT_EQ(g.resolution.back().height, 28); // capped at the input, not a multiple of 8
}

TEST(ProgressiveResolutionPass, RejectsModelsThatCannotTakeSmallImages) {
  // 4x4 images: conv -> 2x2, maxpool -> 1x1, and the second 3x3 conv does not fit.
  std::vector<LayerSpec> layers = {conv(4, 3, 1, 0),        layer("maxpool"), conv(4, 3, 1, 0, 12),
                                   layer("global_avgpool"), layer("flatten"), linear(10)};
  ir::TrainingGraph g = build(withMethods(layers, {progressiveResize(0.1, 50, 4)}));
  DiagnosticEngine diags;
  EXPECT_FALSE(run("progressive_resolution", g, diags));
  const Diagnostic& d = diags.diagnostics().at(0);
  EXPECT_EQ(d.id, DiagId::ModelNeedsFixedSize);
  EXPECT_NE(d.message.find("4x4"), std::string::npos) << d.message;
  ASSERT_EQ(d.notes.size(), 1u);
  EXPECT_EQ(d.notes[0].range.begin.line, 12u);
  EXPECT_TRUE(g.resolution.empty());

  ir::TrainingGraph flat =
      build(withMethods({conv(4), layer("flatten"), linear(10)}, {progressiveResize(0.5, 50, 4)}));
  DiagnosticEngine d2;
  EXPECT_FALSE(run("progressive_resolution", flat, d2));
  EXPECT_EQ(d2.diagnostics().at(0).id, DiagId::ModelNeedsFixedSize);
}

TEST(LayerFreezingPass, FreezesFrontToBackWithTheirBatchNorms) {
  ir::TrainingGraph g = build(withMethods(smallCnn(), {layerFreezing(50, 100)}));
  DiagnosticEngine diags;
  ASSERT_TRUE(run("layer_freezing", g, diags));
  EXPECT_EQ(op(g, "conv1").freezeStep, 60); // 50% of 120
  EXPECT_EQ(op(g, "bn1").freezeStep, 60);
  EXPECT_EQ(op(g, "conv2").freezeStep, 120);
  EXPECT_EQ(op(g, "bn2").freezeStep, 120);
  EXPECT_EQ(op(g, "relu1").freezeStep, -1);
  EXPECT_EQ(op(g, "linear1").freezeStep, -1);
  ASSERT_EQ(g.timeline.events.size(), 2u);
  EXPECT_LE(g.timeline.events[0].step, g.timeline.events[1].step);
}

TEST(LayerFreezingPass, TheClassifierNeverFreezesEvenWhenItIsAConv) {
  std::vector<LayerSpec> allConv = {
      conv(8),         layer("bn"), layer("relu"), conv(10, 1, 1, 0), layer("global_avgpool"),
      layer("flatten")};
  ir::TrainingGraph g = build(withMethods(allConv, {layerFreezing(60, 90)}));
  DiagnosticEngine diags;
  ASSERT_TRUE(run("layer_freezing", g, diags));
  EXPECT_EQ(op(g, "conv1").freezeStep, 72); // one layer: it freezes at start
  EXPECT_EQ(op(g, "conv2").freezeStep, -1);
}

TEST(LayerFreezingPass, EndBeforeStartIsAnError) {
  ir::TrainingGraph g = build(withMethods(smallCnn(), {layerFreezing(80, 40)}));
  DiagnosticEngine diags;
  EXPECT_FALSE(run("layer_freezing", g, diags));
  EXPECT_EQ(diags.diagnostics().at(0).id, DiagId::ParameterRange);
}

TEST(ChannelsLastPass, CountsConversionsAtRegionBorders) {
  // input -> conv1 converts; the pooled 1x1 map is the same bytes in both layouts.
  ir::TrainingGraph pooled = build(withMethods(smallCnn(), {channelsLast()}));
  DiagnosticEngine diags;
  ASSERT_TRUE(run("channels_last", pooled, diags));
  EXPECT_EQ(op(pooled, "input").memoryFormat, "contiguous");
  EXPECT_EQ(op(pooled, "maxpool1").memoryFormat, "channels_last");
  EXPECT_EQ(op(pooled, "global_avgpool1").memoryFormat, "channels_last");
  EXPECT_EQ(op(pooled, "flatten1").memoryFormat, "contiguous");
  EXPECT_EQ(pooled.notes.back(), "channels_last: 1 layout conversions");

  // Without global pooling, flatten reads a 28x28 NHWC map: a second conversion.
  ir::TrainingGraph flat =
      build(withMethods({conv(4), residual({conv(4), layer("relu")}), layer("flatten"), linear(10)},
                        {channelsLast()}));
  ASSERT_TRUE(run("channels_last", flat, diags));
  EXPECT_EQ(op(flat, "add1").memoryFormat, "channels_last");
  EXPECT_EQ(flat.notes.back(), "channels_last: 2 layout conversions");

  // No convolution, nothing to do.
  ir::TrainingGraph mlp = build(
      withMethods({layer("flatten"), linear(32), layer("relu"), linear(10)}, {channelsLast()}));
  EXPECT_FALSE(passes::createPass("channels_last")->run(mlp, diags));
}

TEST(PassManager, RegistryOrderMeetsEveryConstraint) {
  passes::PassManager inOrder, reversed;
  std::vector<std::string> names = passes::registeredPasses();
  for (const std::string& n : names)
    inOrder.add(passes::createPass(n));
  for (auto it = names.rbegin(); it != names.rend(); ++it)
    reversed.add(passes::createPass(*it));
  EXPECT_TRUE(inOrder.orderViolations().empty());
  EXPECT_FALSE(reversed.orderViolations().empty());
  for (const std::string& n : names)
    EXPECT_EQ(passes::createPass(n)->name(), n);
}

TEST(PassManager, UnknownPassesAreDiagnostics) {
  CheckedRecipe r = withMethods(smallCnn(), {channelsLast()});
  r.methods[0].passes = {"channels_first"};
  passes::PassManager pm;
  DiagnosticEngine diags;
  EXPECT_FALSE(pm.buildPipelineFor(r, diags));
  EXPECT_EQ(diags.diagnostics().at(0).id, DiagId::UnknownPass);
}

TEST(PassManager, DumpsOnlyWhatChangedAndSaysWhyADumpIsMissing) {
  // One linear layer: the classifier, so layer_freezing changes nothing.
  CheckedRecipe r = withMethods({layer("flatten"), linear(10)}, {layerFreezing(60, 90)});
  std::ostringstream dump;
  CompileOptions opts;
  opts.dumpAfter = {"all", "channels_last", "no_such_pass"};
  opts.dumpStream = &dump;
  DiagnosticEngine diags;
  ASSERT_TRUE(compileRecipe(r, opts, diags).has_value());
  EXPECT_EQ(dump.str(), "; channels_last is not in this recipe's pipeline\n"
                        "; no_such_pass is not a pass\n"
                        "; after layer_freezing (unchanged)\n");
}

TEST(PassManager, TimesPassesOnRequest) {
  CheckedRecipe r = withMethods(smallCnn(), {channelsLast()});
  ::setenv("FIVER_TIME_PASSES", "1", 1);
  testing::internal::CaptureStderr();
  DiagnosticEngine diags;
  EXPECT_TRUE(compileRecipe(r, {}, diags).has_value());
  std::string err = testing::internal::GetCapturedStderr();
  ::unsetenv("FIVER_TIME_PASSES");
  EXPECT_NE(err.find("pass channels_last: "), std::string::npos) << err;
}

namespace {
// Gives a relu a shape its input cannot produce.
class BreaksShapes : public passes::Pass {
public:
  std::string_view name() const override { return "breaks_shapes"; }
  std::string_view enabledBy() const override { return "none"; }
  bool run(ir::TrainingGraph& g, DiagnosticEngine&) override {
    g.model[3].shape = {1, 2, 3};
    return true;
  }
};
} // namespace

TEST(PassManager, VerifierStopsTheBrokenPass) {
  ir::TrainingGraph g = build(handRecipe(smallCnn()));
  passes::PassManager pm;
  pm.add(std::make_unique<BreaksShapes>());
  DiagnosticEngine diags;
  testing::internal::CaptureStderr();
  EXPECT_FALSE(pm.run(g, {}, diags));
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("broken after pass breaks_shapes"), std::string::npos) << err;

  passes::PipelineOptions unchecked;
  unchecked.verify = false;
  ir::TrainingGraph g2 = build(handRecipe(smallCnn()));
  EXPECT_TRUE(pm.run(g2, unchecked, diags));
}

TEST(Compile, WritesTheGraphvizFile) {
  std::string path = testing::TempDir() + "/model.dot";
  CompileOptions opts;
  opts.dotFile = path;
  DiagnosticEngine diags;
  ASSERT_TRUE(compileRecipe(withMethods(smallCnn(), {channelsLast()}), opts, diags).has_value());
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text.rfind("digraph", 0), 0u);
  EXPECT_NE(text.find("global_avgpool1"), std::string::npos);
}
