// The op table is the one place that knows an op kind: every row has a name
// that leads back to it and both rules, and a name no row has is reported
// as it always was.
#include "compiler/ir/GraphBuilder.h"
#include "compiler/plan/OpCost.h"
#include "compiler/plan/OpKinds.h"
#include "compiler/plan/OpRules.h"

#include <gtest/gtest.h>

#include <set>

using namespace fiver;
using plan::OpKind;

TEST(OpKindTable, EveryKindHasANameThatLeadsBackToIt) {
  std::set<std::string_view> names;
  ASSERT_EQ(plan::allOpKinds().size(), plan::kOpKindCount);
  for (OpKind kind : plan::allOpKinds()) {
    const plan::OpKindInfo& row = plan::info(kind);
    EXPECT_EQ(row.kind, kind);
    EXPECT_TRUE(names.insert(row.name).second) << row.name << " names two kinds";
    EXPECT_EQ(plan::opKindFromName(row.name), kind) << row.name;
    EXPECT_TRUE(plan::isKind(row.name, kind));
  }
  EXPECT_EQ(plan::opKindFromName("convolution"), std::nullopt);
  EXPECT_EQ(plan::opKindFromName(""), std::nullopt);
}

TEST(OpKindTable, EveryKindHasShapeAndCostRulesAndAnArity) {
  for (OpKind kind : plan::allOpKinds()) {
    const plan::OpKindInfo& row = plan::info(kind);
    EXPECT_NE(row.shape, nullptr) << row.name;
    EXPECT_NE(row.cost, nullptr) << row.name;
    EXPECT_GE(row.minInputs, 0) << row.name;
    EXPECT_TRUE(row.maxInputs == plan::kUnboundedInputs || row.maxInputs >= row.minInputs)
        << row.name;
    EXPECT_GT(row.flopsPerElement, 0) << row.name;
  }
  EXPECT_EQ(plan::info(OpKind::Input).maxInputs, 0);
  EXPECT_EQ(plan::info(OpKind::Add).minInputs, 2);
}

TEST(OpKindTable, FlagsSayWhatTheKindsAre) {
  EXPECT_TRUE(plan::hasParameters("conv"));
  EXPECT_TRUE(plan::hasParameters("causal_attention"));
  EXPECT_FALSE(plan::hasParameters("relu"));
  EXPECT_FALSE(plan::hasParameters("no_such_kind"));
  EXPECT_TRUE(plan::isNormalization("bn"));
  EXPECT_TRUE(plan::isNormalization("layernorm"));
  EXPECT_FALSE(plan::isNormalization("conv"));
  EXPECT_TRUE(ir::isElementwise("gelu"));
  EXPECT_TRUE(ir::isElementwise("fused"));
  EXPECT_FALSE(ir::isElementwise("add"));
  plan::Op tied;
  tied.kind = "linear";
  tied.attrs["tied_to"] = plan::Scalar::str("embedding1");
  EXPECT_FALSE(plan::ownsWeightMatrix(tied));
  tied.attrs.erase("tied_to");
  EXPECT_TRUE(plan::ownsWeightMatrix(tied));
  EXPECT_EQ(plan::info(OpKind::Conv).requiredAttrs(),
            (std::vector<std::string>{"in", "out", "kernel", "stride", "padding", "bias"}));
  EXPECT_TRUE(plan::info(OpKind::Relu).requiredAttrs().empty());
}

TEST(OpKindTable, ShapeRulesRunFromTheRow) {
  ir::OpNode conv;
  conv.kind = "conv";
  for (const char* key : {"in", "out", "kernel", "stride", "padding"})
    conv.attrs[key] = plan::Scalar::num(1);
  conv.attrs["out"] = plan::Scalar::num(8);
  conv.attrs["kernel"] = plan::Scalar::num(3);
  EXPECT_EQ(ir::inferShape(conv, {{1, 28, 28}}), "");
  EXPECT_EQ(conv.shape, (std::vector<int64_t>{8, 28, 28}));
  EXPECT_EQ(ir::inferShape(conv, {{4, 28, 28}}), "'conv' expects 1 input channels, gets 4");
}

TEST(OpKindTable, AnUnknownKindGivesTheExistingDiagnostic) {
  ir::OpNode op;
  op.kind = "conv3d";
  EXPECT_EQ(ir::inferShape(op, {{1, 8, 8}}), "unknown op kind 'conv3d'");
  EXPECT_EQ(ir::inferShape(op, {}), "'conv3d' has no input");
}

TEST(OpKindTable, CostRulesRunFromTheRow) {
  plan::Op gelu;
  gelu.kind = "gelu";
  gelu.shape = {10};
  EXPECT_DOUBLE_EQ(plan::opCost(gelu, {{10}}, 2).forwardFlops, 8 * 20);
  plan::Op fused = gelu;
  fused.kind = "fused";
  fused.attrs["ops"] = plan::Scalar::str("gelu,add,silu");
  EXPECT_DOUBLE_EQ(plan::opCost(fused, {{10}}, 2).forwardFlops, (8 + 1 + 4) * 20);
  plan::Op unknown = gelu;
  unknown.kind = "mystery";
  EXPECT_DOUBLE_EQ(plan::opCost(unknown, {{10}}, 2).forwardFlops, 20); // as an elementwise op
}
