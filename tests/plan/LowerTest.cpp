// Lowering: every unit resolved, ops in topological order with stable ids.
#include "compiler/lower/Lower.h"
#include "compiler/pipeline/Compile.h"
#include "tests/passes/HandBuilt.h"
#include "tests/support/CompileText.h"

#include <gtest/gtest.h>

using namespace fiver;
using namespace fiver::test;

TEST(Lower, ResolvesUnitsAgainstTheTimeline) {
  ir::Timeline t;
  t.trainSize = 6000;
  t.batchSize = 100;
  t.stepsPerEpoch = 60;
  t.totalSteps = 120;
  Value duration = Value::num(25, Unit::Percent);
  duration.isDuration = true;
  EXPECT_EQ(lowerValue(duration, t), plan::Scalar::num(30)); // 25% of the budget, in steps
  EXPECT_EQ(lowerValue(Value::num(25, Unit::Percent), t), plan::Scalar::num(0.25));
  EXPECT_EQ(lowerValue(Value::num(2, Unit::Epochs), t), plan::Scalar::num(120));
  EXPECT_EQ(lowerValue(Value::num(50, Unit::Steps), t), plan::Scalar::num(50));
  EXPECT_EQ(lowerValue(Value::num(1050, Unit::Samples), t), plan::Scalar::num(11));
  EXPECT_EQ(lowerValue(Value::flag(true), t), plan::Scalar::num(1));
  EXPECT_EQ(lowerValue(Value::ident("cosine"), t), plan::Scalar::str("cosine"));
  EXPECT_EQ(lowerValue(Value::str("a b"), t), plan::Scalar::str("a b"));
}

TEST(Lower, FillsEveryPlanField) {
  CheckedRecipe r = handRecipe(smallCnn());
  r.trainSubset = 3000;
  r.seed = 7;
  r.provenance = {"budget 2 epochs"};
  r.augment.push_back({"crop", {{"padding", whole(2)}}, at(4)});
  r.methods = {layerFreezing(50, 100), channelsLast(), progressiveResize(0.5, 50, 4)};
  DiagnosticEngine diags;
  std::optional<plan::Plan> p = compileRecipe(r, {}, diags);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->recipe, "hand");
  EXPECT_EQ(p->sourceHash, "0123abcd");
  EXPECT_EQ(p->provenance, r.provenance);
  EXPECT_EQ(p->passes, (std::vector<std::string>{"layer_freezing", "channels_last",
                                                 "progressive_resolution"}));
  EXPECT_EQ(p->task.trainSize, 3000);
  EXPECT_EQ(p->task.inputShape, (std::vector<int64_t>{1, 28, 28}));
  EXPECT_EQ(p->training.stepsPerEpoch, 30);
  EXPECT_EQ(p->training.totalSteps, 60);
  EXPECT_EQ(p->training.epochs, 2);
  EXPECT_EQ(p->training.batchSize, 100);
  EXPECT_EQ(p->training.seed, 7u);
  EXPECT_EQ(p->optimizer.kind, "sgd");
  EXPECT_EQ(plan::getNumber(p->optimizer.params, "nesterov", -1), 1);
  EXPECT_EQ(plan::getNumber(p->schedule.params, "warmup", -1), 0.25);
  ASSERT_EQ(p->augment.size(), 1u);
  EXPECT_EQ(plan::getNumber(p->augment[0].params, "padding", -1), 2);

  ASSERT_EQ(p->ops.size(), 11u);
  for (size_t i = 0; i < p->ops.size(); ++i) {
    EXPECT_EQ(p->ops[i].id, static_cast<int>(i));
    for (int in : p->ops[i].inputs)
      EXPECT_LT(in, p->ops[i].id);
  }
  EXPECT_EQ(p->ops[0].kind, "input");
  EXPECT_EQ(p->ops[1].name, "conv1");
  EXPECT_EQ(p->ops[1].freezeStep, 30);
  EXPECT_EQ(p->ops[1].memoryFormat, "channels_last");
  EXPECT_EQ(p->ops.back().freezeStep, -1);
  EXPECT_FALSE(p->resolution.empty());
  EXPECT_EQ(p->resolution.back().height, 28);

  const plan::Method* freezing = p->findMethod("layer_freezing");
  ASSERT_NE(freezing, nullptr);
  EXPECT_EQ(freezing->triple, "reorder model_parameters dynamic domain");
  EXPECT_EQ(plan::getNumber(freezing->params, "start", -1), 0.5);
  EXPECT_EQ(freezing->hooks, (std::vector<std::string>{"layer_freezing"}));
  EXPECT_EQ(p->findMethod("ema"), nullptr);
}

// Long sequences evaluate in smaller batches (2^17 tokens at most): 1024
// sequences of 512 tokens would hold tens of gigabytes of attention scores.
TEST(Lower, LongSequencesEvaluateInSmallerBatches) {
  auto evalBatchOf = [](int length) {
    const std::string text =
        "task long_text {\n  dataset synthetic_text\n  input [" + std::to_string(length) +
        "]\n  classes 32\n  train_size 1024\n  test_size 256\n  metric accuracy\n}\n"
        "recipe t {\n  task long_text\n  model tiny_gpt(dim: 32, blocks: 1, heads: 2)\n"
        "  batch_size 16\n  budget 1 epochs\n}\n";
    DiagnosticEngine diags;
    std::optional<plan::Plan> p = test::compileText(text, diags);
    return p ? p->training.evalBatchSize : int64_t{-1};
  };
  EXPECT_EQ(evalBatchOf(32), 1024);
  EXPECT_EQ(evalBatchOf(128), 1024);
  EXPECT_EQ(evalBatchOf(512), 256);
}
