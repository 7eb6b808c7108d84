// alibi's effect: the composition matrix's probe and recipe line, and the
// method's own tests on tiny_gpt over the synthetic text task (milliseconds
// each): the pass removes the position table and marks every attention, the
// costs follow, the biases are the paper's, and the model knows positions
// only by their distance.
#include "compiler/plan/OpCost.h"
#include "compiler/plan/OpKinds.h"
#include "runtime/model/PlanModel.h"
#include "runtime/model/SequenceOps.h"
#include "tests/composition/Probe.h"
#include "tests/support/CompileText.h"

#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

namespace fiver::composition {
namespace {

bool isAlibiAttention(const plan::Op& op) {
  return plan::getNumber(op.attrs, "alibi", 0) != 0;
}

// ALiBi: the model that trains has no position table, and each of its
// causal attentions adds the distance bias.
class DistanceBiased : public Probe {
public:
  void afterMethods(Event e, const TrainState& s) override {
    if (e != Event::BatchEnd) return;
    for (const plan::Op& op : s.model->ops()) {
      if (plan::isKind(op.kind, plan::OpKind::Embedding))
        expect(s.model->parametersOf(op.name).size() == 1,
               op.name + " still holds a position table beside its token table");
      if (plan::isKind(op.kind, plan::OpKind::CausalAttention))
        expect(isAlibiAttention(op), op.name + " attends without the ALiBi bias");
    }
  }
};

const EffectRegistrar kEffect(MethodUnderTest{"alibi",
                                              "retrofit derived_data static domain alibi",
                                              {InputKind::Text},
                                              [](const plan::Plan&) -> std::unique_ptr<Probe> {
                                                return std::make_unique<DistanceBiased>();
                                              }});

// --- the method's own tests: tiny_gpt (2 blocks, 4 heads) on 12 tokens ---

constexpr int64_t kLength = 12, kVocab = 16, kDim = 16, kHeads = 4, kBlocks = 2;

std::string tinyRecipe(const std::string& extra) {
  return R"(task tiny_text {
  dataset synthetic_text
  input [12]
  classes 16
  train_size 64
  test_size 16
  metric accuracy
}
recipe t {
  task tiny_text
  model tiny_gpt(dim: 16, blocks: 2, heads: 4)
  optimizer adamw(lr: 0.01)
  schedule constant
  batch_size 16
  budget 1 epochs
  seed 5
)" + extra +
         "}\n";
}

const char* kAlibi = "  retrofit derived_data static domain alibi\n";

plan::Plan compiled(const std::string& extra, std::ostream* dump = nullptr) {
  DiagnosticEngine diags;
  CompileOptions options;
  if (dump) {
    options.dumpAfter = {"alibi"};
    options.dumpStream = dump;
  }
  std::optional<plan::Plan> p = test::compileText(tinyRecipe(extra), diags, options);
  if (!p) throw std::runtime_error("the test recipe does not compile");
  return *p;
}

TEST(AlibiEffect, ThePassRemovesThePositionTableAndBiasesEveryAttention) {
  std::ostringstream dump;
  compiled(kAlibi, &dump);
  const std::string text = dump.str();
  EXPECT_NE(text.find("; after alibi"), std::string::npos) << text;
  EXPECT_NE(text.find("embedding[dim=16, positions=0, vocab=16]"), std::string::npos) << text;
  EXPECT_NE(text.find("causal_attention1 = causal_attention[alibi=1, dim=16, heads=4]"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("causal_attention2 = causal_attention[alibi=1, dim=16, heads=4]"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("note alibi: 2 causal attention ops biased by distance; position table "
                      "removed (192 parameters fewer)"),
            std::string::npos)
      << text;
}

TEST(AlibiEffect, CostsLosePositionParametersAndGainTheBiasAdds) {
  auto total = [](const plan::Plan& p) {
    plan::OpCost sum;
    for (const plan::OpCost& c : plan::planOpCosts(p, /*batch=*/1))
      sum += c;
    return sum;
  };
  const plan::OpCost without = total(compiled("")), with = total(compiled(kAlibi));
  EXPECT_EQ(without.parameters - with.parameters, kLength * kDim);
  // Each attention adds H T^2 to its scores; the embedding no longer adds
  // T x dim position terms, forward or backward.
  const double biasAdds = kBlocks * kHeads * kLength * kLength;
  EXPECT_DOUBLE_EQ(with.forwardFlops - without.forwardFlops, biasAdds - kLength * kDim);
  EXPECT_DOUBLE_EQ(without.backwardFlops - with.backwardFlops, kLength * kDim);
}

TEST(AlibiEffect, BiasesFollowThePapersFormula) {
  const torch::Tensor bias = runtime::alibiBias(kHeads, 5);
  ASSERT_EQ(bias.sizes(), (std::vector<int64_t>{kHeads, 5, 5}));
  for (int64_t h = 1; h <= kHeads; ++h) {
    const double slope = std::pow(2.0, -8.0 * static_cast<double>(h) / kHeads);
    EXPECT_FLOAT_EQ(runtime::alibiSlopes(kHeads)[h - 1].item<float>(), slope);
    for (int64_t i = 0; i < 5; ++i)
      for (int64_t j = 0; j < 5; ++j)
        EXPECT_FLOAT_EQ(bias[h - 1][i][j].item<float>(),
                        j <= i ? static_cast<float>(-slope * static_cast<double>(i - j)) : 0.0f)
            << "head " << h << ", query " << i << ", key " << j;
  }
  // Slopes 1/4, 1/16, 1/64, 1/256 for four heads, as in the paper's example for eight.
  EXPECT_FLOAT_EQ(bias[0][3][0].item<float>(), -0.75f);
  EXPECT_FLOAT_EQ(bias[3][4][0].item<float>(), -4.0f / 256);
}

TEST(AlibiEffect, TheBiasOfAPairDependsOnlyOnItsDistance) {
  // Shifting a window of 5 positions 7 places later leaves every bias as it was.
  const torch::Tensor atStart = runtime::alibiBias(kHeads, 5);
  const torch::Tensor shifted = runtime::alibiBias(kHeads, 12).narrow(1, 7, 5).narrow(2, 7, 5);
  EXPECT_TRUE(torch::equal(atStart, shifted));
}

// softmax(q k^T / sqrt(d) + bias + causal mask) v, written out head by head
// from the module's own projections.
torch::Tensor referenceAttention(runtime::CausalSelfAttention& attention, const torch::Tensor& x,
                                 int64_t heads) {
  auto qkv = attention->named_children()["qkv"]->as<torch::nn::Linear>();
  auto proj = attention->named_children()["proj"]->as<torch::nn::Linear>();
  const int64_t length = x.size(1), dim = x.size(2), headDim = dim / heads;
  const std::vector<torch::Tensor> parts = qkv->forward(x)[0].split(dim, -1);
  const torch::Tensor bias = runtime::alibiBias(heads, length);
  const torch::Tensor hidden = torch::ones({length, length}).triu(1).to(torch::kBool);
  std::vector<torch::Tensor> mixed;
  for (int64_t h = 0; h < heads; ++h) {
    auto head = [&](int part) { return parts[part].narrow(1, h * headDim, headDim); };
    torch::Tensor scores = head(0).matmul(head(1).t()) / std::sqrt(headDim) + bias[h];
    mixed.push_back(torch::softmax(scores.masked_fill(hidden, -INFINITY), -1).matmul(head(2)));
  }
  return proj->forward(torch::cat(mixed, -1)).unsqueeze(0);
}

TEST(AlibiEffect, TheAttentionAddsTheBiasToItsScores) {
  torch::manual_seed(4);
  runtime::CausalSelfAttention biased(kDim, kHeads, /*alibi=*/true);
  torch::manual_seed(4);
  runtime::CausalSelfAttention plain(kDim, kHeads);
  torch::NoGradGuard noGrad;
  const torch::Tensor x = torch::randn({1, 7, kDim});
  const torch::Tensor y = biased->forward(x);
  EXPECT_TRUE(torch::allclose(y, referenceAttention(biased, x, kHeads), 1e-5, 1e-6));
  EXPECT_GT((y - plain->forward(x)).abs().max().item<double>(), 1e-3);
}

// The outputs at every position of one token repeated kLength times.
torch::Tensor repeatedTokenOutputs(const plan::Plan& p) {
  torch::manual_seed(3);
  runtime::PlanModel model(p.ops);
  model->eval();
  torch::NoGradGuard noGrad;
  return model->forward(torch::full({1, kLength}, 7, torch::kInt64))[0];
}

double spreadOverPositions(const torch::Tensor& outputs) {
  return (outputs - outputs[0]).abs().max().item<double>();
}

TEST(AlibiEffect, TheModelKnowsPositionsOnlyByDistance) {
  // Every position of a repeated token sees the same tokens at the same
  // distances back, so with alibi every position predicts the same; the
  // learned position table makes the same sequence's predictions depend on
  // where each token sits.
  const double withAlibi = spreadOverPositions(repeatedTokenOutputs(compiled(kAlibi)));
  const double learned = spreadOverPositions(repeatedTokenOutputs(compiled("")));
  EXPECT_LT(withAlibi, 1e-5);
  EXPECT_GT(learned, 1e-3);
  // The model itself has no position parameters left.
  runtime::PlanModel model(compiled(kAlibi).ops);
  EXPECT_EQ(model->parametersOf("embedding1").size(), 1u);
}

TEST(AlibiEffect, ShiftingTheLearnedPositionsChangesTheBaseline) {
  // The same sequence placed 3 positions later (the learned table read from
  // row 3 on) changes the baseline's outputs: what alibi removes.
  const plan::Plan p = compiled("");
  torch::manual_seed(3);
  runtime::PlanModel model(p.ops);
  model->eval();
  torch::NoGradGuard noGrad;
  torch::manual_seed(11);
  const torch::Tensor tokens = torch::randint(kVocab, {1, kLength - 3}, torch::kInt64);
  const torch::Tensor atStart = model->forward(tokens);
  torch::Tensor table = model->parametersOf("embedding1").at(1);
  table.narrow(0, 0, kLength - 3).copy_(table.narrow(0, 3, kLength - 3).clone());
  EXPECT_GT((model->forward(tokens) - atStart).abs().max().item<double>(), 1e-3);
}

} // namespace
} // namespace fiver::composition
