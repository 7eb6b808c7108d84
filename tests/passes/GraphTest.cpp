// The training graph built from hand-written checked recipes: shapes, the
// attributes the runtime needs, shape errors at the layer's line, the
// timeline, the printer and the verifier.
#include "compiler/ir/GraphBuilder.h"
#include "compiler/ir/GraphPrinter.h"
#include "compiler/ir/Verifier.h"
#include "tests/passes/HandBuilt.h"

#include <gtest/gtest.h>

#include <sstream>

using namespace fiver;
using namespace fiver::test;
using Shape = std::vector<int64_t>;

namespace {

ir::TrainingGraph build(const CheckedRecipe& r) {
  DiagnosticEngine diags;
  std::optional<ir::TrainingGraph> g = ir::buildGraph(r, diags);
  EXPECT_TRUE(g.has_value()) << (diags.diagnostics().empty() ? "" : diags.diagnostics()[0].message);
  return g ? std::move(*g) : ir::TrainingGraph{};
}

const ir::OpNode& op(const ir::TrainingGraph& g, const std::string& name) {
  for (ir::OpId v : g.opsInOrder())
    if (g.model[v].name == name) return g.model[v];
  throw std::runtime_error("no op " + name);
}

const Diagnostic& failsWith(const CheckedRecipe& r, DiagnosticEngine& diags) {
  EXPECT_FALSE(ir::buildGraph(r, diags).has_value());
  EXPECT_TRUE(diags.hasErrors());
  return diags.diagnostics().at(0);
}

} // namespace

TEST(GraphBuilder, ConvAndPoolingShapesFollowTheFloorFormula) {
  ir::TrainingGraph g = build(
      handRecipe({conv(4, 5, 2, 0), layer("maxpool", {{"kernel", whole(3)}, {"stride", whole(2)}}),
                  layer("avgpool", {{"kernel", whole(2)}}), layer("flatten"), linear(3)}));
  EXPECT_EQ(op(g, "input").shape, (Shape{1, 28, 28}));
  EXPECT_EQ(op(g, "conv1").shape, (Shape{4, 12, 12}));  // (28 - 5) / 2 + 1
  EXPECT_EQ(op(g, "maxpool1").shape, (Shape{4, 5, 5})); // (12 - 3) / 2 + 1
  EXPECT_EQ(op(g, "avgpool1").shape, (Shape{4, 2, 2})); // stride defaults to the kernel
  EXPECT_EQ(op(g, "flatten1").shape, (Shape{16}));
  EXPECT_EQ(op(g, "linear1").shape, (Shape{3}));
  EXPECT_TRUE(ir::verifyGraph(g).empty());
}

TEST(GraphBuilder, FillsTheAttributesTheRuntimeNeeds) {
  ir::TrainingGraph g = build(handRecipe(smallCnn()));
  auto number = [&](const char* name, const char* key) {
    return plan::getNumber(op(g, name).attrs, key, -1);
  };
  EXPECT_EQ(number("conv2", "in"), 8);
  EXPECT_EQ(number("conv2", "out"), 16);
  EXPECT_EQ(number("conv2", "kernel"), 3);
  EXPECT_EQ(number("conv2", "stride"), 1);
  EXPECT_EQ(number("conv2", "padding"), 1);
  EXPECT_EQ(number("conv2", "bias"), 0);
  EXPECT_EQ(number("bn2", "features"), 16);
  EXPECT_EQ(number("maxpool1", "stride"), 2);
  EXPECT_EQ(number("linear1", "in"), 16);
  EXPECT_EQ(number("linear1", "bias"), 1);
  EXPECT_EQ(ir::graphToString(g).find("sequence"), std::string::npos);
}

TEST(GraphBuilder, ResidualsJoinBranchAndShortcutInOperandOrder) {
  LayerSpec seq = layer("sequence");
  seq.body = {conv(4), layer("relu")};
  ir::TrainingGraph g = build(handRecipe({seq, residual({conv(4), layer("bn")}),
                                          residual({conv(8, 3, 2, 1)}, {conv(8, 1, 2, 0)}),
                                          layer("global_avgpool"), layer("flatten"), linear(10)}));
  std::vector<ir::OpId> ops = g.opsInOrder();
  EXPECT_EQ(g.model[ops[0]].kind, "input");
  EXPECT_EQ(g.model[ops[1]].name, "conv1"); // the sequence is inlined
  auto operands = [&](const std::string& add) {
    for (ir::OpId v : ops)
      if (g.model[v].name == add) {
        std::vector<std::string> names;
        for (ir::OpId in : g.inputsOf(v))
          names.push_back(g.model[in].name);
        return names;
      }
    return std::vector<std::string>{};
  };
  // Operand 0 is the branch, operand 1 the shortcut (the block's input when
  // there is no projection).
  EXPECT_EQ(operands("add1"), (std::vector<std::string>{"bn1", "relu1"}));
  EXPECT_EQ(operands("add2"), (std::vector<std::string>{"conv3", "conv4"}));
  EXPECT_EQ(op(g, "add1").shape, (Shape{4, 28, 28}));
  EXPECT_EQ(op(g, "add2").shape, (Shape{8, 14, 14}));
  EXPECT_TRUE(ir::verifyGraph(g).empty());
}

TEST(GraphBuilder, ShapeErrorsPointAtTheLayer) {
  {
    CheckedRecipe r = handRecipe({conv(4, 7, 1, 0, 5), layer("flatten"), linear(10)});
    r.task.inputShape = {1, 4, 4};
    DiagnosticEngine diags;
    const Diagnostic& d = failsWith(r, diags);
    EXPECT_EQ(d.id, DiagId::ShapeError);
    EXPECT_EQ(d.range.begin.line, 5u);
    EXPECT_NE(d.message.find("kernel 7"), std::string::npos) << d.message;
  }
  {
    DiagnosticEngine diags;
    const Diagnostic& d = failsWith(handRecipe({conv(4), linear(10, 6)}), diags);
    EXPECT_EQ(d.range.begin.line, 6u);
    EXPECT_NE(d.message.find("flatten"), std::string::npos) << d.message;
  }
  {
    DiagnosticEngine diags;
    const Diagnostic& d =
        failsWith(handRecipe({conv(4), residual({conv(8)}, {}, 7), layer("flatten")}), diags);
    EXPECT_EQ(d.range.begin.line, 7u);
    EXPECT_NE(d.message.find("4x28x28"), std::string::npos) << d.message;
    EXPECT_NE(d.message.find("shortcut"), std::string::npos) << d.message;
  }
  {
    DiagnosticEngine diags;
    const Diagnostic& d = failsWith(handRecipe({conv(0, 3, 1, 1, 8)}), diags);
    EXPECT_EQ(d.range.begin.line, 8u);
    EXPECT_NE(d.message.find("positive out"), std::string::npos) << d.message;
  }
  {
    CheckedRecipe r = handRecipe(smallCnn());
    r.task.inputShape = {28, 28};
    DiagnosticEngine diags;
    const Diagnostic& d = failsWith(r, diags);
    EXPECT_EQ(d.id, DiagId::ShapeError);
    EXPECT_EQ(d.range.begin.line, 2u); // the task
  }
}

TEST(GraphBuilder, TimelineCountsStepsFromTheTrainingSubset) {
  CheckedRecipe r = handRecipe(smallCnn());
  r.trainSubset = 1000;
  r.batchSize = 128;
  r.budget = {3, Unit::Epochs, at(3)};
  ir::TrainingGraph g = build(r);
  EXPECT_EQ(g.timeline.trainSize, 1000);
  EXPECT_EQ(g.timeline.stepsPerEpoch, 8); // ceil(1000 / 128)
  EXPECT_EQ(g.timeline.totalSteps, 24);
  EXPECT_EQ(g.timeline.epochs, 3);

  r.budget = {100, Unit::Steps, at(3)};
  g = build(r);
  EXPECT_EQ(g.timeline.totalSteps, 100);
  EXPECT_EQ(g.timeline.epochs, 13); // ceil(100 / 8)

  r.budget = {5000, Unit::Samples, at(3)};
  EXPECT_EQ(build(r).timeline.totalSteps, 40); // ceil(5000 / 128)

  r.budget = {60, Unit::Seconds, at(3)};
  DiagnosticEngine diags;
  EXPECT_EQ(failsWith(r, diags).id, DiagId::UnsupportedBudget);
}

TEST(GraphPrinter, OneOpPerLineThenTheTimeline) {
  ir::TrainingGraph g = build(
      handRecipe({conv(4), layer("relu"), layer("global_avgpool"), layer("flatten"), linear(10)}));
  EXPECT_EQ(
      ir::graphToString(g),
      "graph hand\n"
      "  %0 input = input () : 1x28x28 fp32\n"
      "  %1 conv1 = conv[bias=0, in=1, kernel=3, out=4, padding=1, stride=1] (%0) : 4x28x28 fp32\n"
      "  %2 relu1 = relu (%1) : 4x28x28 fp32\n"
      "  %3 global_avgpool1 = global_avgpool (%2) : 4x1x1 fp32\n"
      "  %4 flatten1 = flatten (%3) : 4 fp32\n"
      "  %5 linear1 = linear[bias=1, in=4, out=10] (%4) : 10 fp32\n"
      "timeline 120 steps = 2 epochs x 60 steps (6000 samples, batch 100)\n");
  std::ostringstream dot;
  ir::writeDot(dot, g);
  EXPECT_EQ(dot.str().rfind("digraph", 0), 0u);
  EXPECT_NE(dot.str().find("conv1"), std::string::npos);
  EXPECT_NE(dot.str().find("0->1"), std::string::npos);
}

TEST(Verifier, FindsBrokenGraphs) {
  ir::TrainingGraph good = build(handRecipe(smallCnn()));
  ASSERT_TRUE(ir::verifyGraph(good).empty());
  auto problemsAfter = [&](auto breakIt) {
    ir::TrainingGraph g = good;
    breakIt(g);
    std::vector<std::string> problems = ir::verifyGraph(g);
    return problems.empty() ? std::string() : problems[0];
  };
  auto byName = [](ir::TrainingGraph& g, const std::string& name) -> ir::OpNode& {
    for (ir::OpId v : g.opsInOrder())
      if (g.model[v].name == name) return g.model[v];
    throw std::runtime_error(name);
  };
  EXPECT_NE(problemsAfter([&](auto& g) {
              byName(g, "conv2").shape = {16, 7, 7};
            }).find("inconsistent"),
            std::string::npos);
  EXPECT_NE(
      problemsAfter([&](auto& g) { byName(g, "relu1").freezeStep = 5; }).find("no parameters"),
      std::string::npos);
  EXPECT_NE(problemsAfter([&](auto& g) {
              byName(g, "linear1").memoryFormat = "channels_last";
            }).find("not a CxHxW"),
            std::string::npos);
  EXPECT_NE(problemsAfter([&](auto& g) {
              byName(g, "maxpool1").attrs.erase("kernel");
            }).find("lacks the attribute kernel"),
            std::string::npos);
  EXPECT_NE(problemsAfter([&](auto& g) { byName(g, "bn2").name = "bn1"; }).find("duplicate"),
            std::string::npos);
  EXPECT_NE(problemsAfter([&](auto& g) {
              boost::add_edge(5, 2, ir::OperandEdge{1}, g.model);
            }).find("inputs"),
            std::string::npos);
  EXPECT_NE(problemsAfter([&](auto& g) {
              g.resolution = {{0, 14, 14}, {0, 28, 28}};
            }).find("strictly increase"),
            std::string::npos);
}
