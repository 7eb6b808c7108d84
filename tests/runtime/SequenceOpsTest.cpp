// The sequence ops of PlanModel: attention is causal, shorter sequences run,
// a tied output layer shares the embedding's token table (one tensor, fewer
// parameters, one update from both uses), and the loss and evaluation count
// every position.
#include "methods/cyclic_lr/Hook.h"
#include "methods/gradient_centralization/Hook.h"
#include "methods/gradient_clipping/Hook.h"
#include "methods/gradual_magnitude_pruning/Hook.h"
#include "methods/kaiming_init/Hook.h"
#include "methods/lookahead/Hook.h"
#include "methods/orthogonal_init/Hook.h"
#include "methods/sam/Hook.h"
#include "methods/warmup/Hook.h"
#include "runtime/methods/OptimizedParameters.h"
#include "runtime/metrics/FlipTta.h"
#include "runtime/model/PlanModel.h"
#include "runtime/train/Loss.h"
#include "tests/runtime/TextPlans.h"

#include <gtest/gtest.h>

#include <set>

namespace fiver::runtime {
namespace {

using testing::TinyGptOptions;
using testing::tinyGptPlan;

torch::Tensor randomTokens(int64_t batch, int64_t length, int64_t vocab) {
  torch::manual_seed(11);
  return torch::randint(vocab, {batch, length}, torch::kInt64);
}

int64_t parameterCount(PlanModel& model) {
  int64_t n = 0;
  for (const torch::Tensor& p : model->parameters())
    n += p.numel();
  return n;
}

TEST(SequenceOpsTest, LaterTokensDoNotChangeEarlierOutputs) {
  PlanModel model(tinyGptPlan().ops);
  model->eval();
  torch::NoGradGuard noGrad;
  torch::Tensor tokens = randomTokens(2, 16, 16);
  torch::Tensor before = model->forward(tokens);
  for (int64_t t : {0, 5, 14}) {
    torch::Tensor changed = tokens.clone();
    changed.select(1, t + 1).add_(1).remainder_(16);
    torch::Tensor after = model->forward(changed);
    EXPECT_TRUE(torch::allclose(after.narrow(1, 0, t + 1), before.narrow(1, 0, t + 1), 0, 1e-6))
        << "a change at position " << t + 1 << " reached position <= " << t;
    EXPECT_FALSE(torch::allclose(after.select(1, t + 1), before.select(1, t + 1)));
  }
}

TEST(SequenceOpsTest, AttentionAloneIsCausal) {
  torch::manual_seed(2);
  CausalSelfAttention attention(8, 2);
  torch::Tensor x = torch::randn({1, 6, 8});
  torch::Tensor y = attention->forward(x);
  torch::Tensor x2 = x.clone();
  x2[0][4].add_(1);
  torch::Tensor y2 = attention->forward(x2);
  EXPECT_TRUE(torch::allclose(y.narrow(1, 0, 4), y2.narrow(1, 0, 4), 0, 1e-6));
  EXPECT_FALSE(torch::allclose(y.narrow(1, 4, 2), y2.narrow(1, 4, 2)));
  EXPECT_THROW(CausalSelfAttention(10, 3), std::runtime_error);
}

TEST(SequenceOpsTest, ShorterSequencesKeepTheirLength) {
  PlanModel model(tinyGptPlan().ops);
  torch::Tensor out = model->forward(randomTokens(3, 10, 16));
  EXPECT_EQ(out.sizes(), (std::vector<int64_t>{3, 10, 16}));
  EXPECT_EQ(out.scalar_type(), torch::kFloat32);
  // The prefix of a sequence gets the outputs the prefix alone gets.
  model->eval();
  torch::NoGradGuard noGrad;
  torch::Tensor tokens = randomTokens(2, 16, 16);
  EXPECT_TRUE(torch::allclose(model->forward(tokens.narrow(1, 0, 7)),
                              model->forward(tokens).narrow(1, 0, 7), 0, 1e-5));
  try {
    model->forward(randomTokens(1, 17, 16));
    FAIL() << "17 tokens fit 16 positions";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("16 positions"), std::string::npos) << e.what();
  }
  EXPECT_THROW(model->forward(torch::zeros({1, 4})), std::runtime_error); // float "tokens"
}

TEST(SequenceOpsTest, TiedLinearSharesTheTokenTable) {
  PlanModel tied(tinyGptPlan().ops);
  TinyGptOptions untiedOptions;
  untiedOptions.tied = false;
  PlanModel untied(tinyGptPlan(untiedOptions).ops);

  torch::Tensor table = tied->parametersOf("embedding1").at(0);
  ASSERT_EQ(table.sizes(), (std::vector<int64_t>{16, 32}));
  EXPECT_TRUE(tied->tiedWeight("linear1").is_same(table));
  EXPECT_TRUE(tied->parametersOf("linear1").at(0).is_same(table));
  EXPECT_EQ(tied->parametersOf("linear1").size(), 2u); // the table, then its own bias
  EXPECT_EQ(parameterCount(untied) - parameterCount(tied), 16 * 32);
  // The model lists the table once, so an optimizer updates it once.
  std::set<const void*> seen;
  for (const torch::Tensor& p : tied->parameters())
    EXPECT_TRUE(seen.insert(p.unsafeGetTensorImpl()).second);
  EXPECT_THROW(untied->tiedWeight("linear1"), std::runtime_error);

  plan::Plan noBias = tinyGptPlan();
  noBias.ops[6].attrs["bias"] = plan::Scalar::num(0);
  PlanModel bare(noBias.ops);
  ASSERT_EQ(bare->parametersOf("linear1").size(), 1u);
  EXPECT_EQ(parameterCount(tied) - parameterCount(bare), 16);
  EXPECT_EQ(bare->forward(randomTokens(2, 5, 16)).sizes(), (std::vector<int64_t>{2, 5, 16}));
}

// The loss of next-token prediction on `tokens` (the label of the last
// position wraps around; any label does here).
torch::Tensor nextTokenLoss(PlanModel& model, const torch::Tensor& tokens) {
  torch::Tensor out = model->forward(tokens);
  return torch::nn::functional::cross_entropy(out.reshape({-1, out.size(2)}),
                                              tokens.roll(-1, 1).reshape({-1}));
}

TEST(SequenceOpsTest, OneStepUpdatesTheSharedTableOnceWithBothGradients) {
  PlanModel tied(tinyGptPlan().ops);
  TinyGptOptions untiedOptions;
  untiedOptions.tied = false;
  PlanModel untied(tinyGptPlan(untiedOptions).ops);
  // The untied model with the same weights: its output layer holds a copy of the table.
  torch::Tensor table = tied->parametersOf("embedding1").at(0);
  {
    torch::NoGradGuard noGrad;
    auto tiedParams = tied->named_parameters();
    for (auto& item : untied->named_parameters())
      item.value().copy_(item.key() == "linear1.weight" ? table : tiedParams[item.key()]);
  }
  torch::Tensor tokens = randomTokens(4, 16, 8); // tokens 0..7: rows 8..15 feed the output only
  nextTokenLoss(tied, tokens).backward();
  nextTokenLoss(untied, tokens).backward();
  torch::Tensor grad = table.grad().clone();
  torch::Tensor embeddingShare = untied->parametersOf("embedding1").at(0).grad();
  torch::Tensor outputShare = untied->parametersOf("linear1").at(0).grad();
  EXPECT_GT(embeddingShare.abs().sum().item<double>(), 0);
  EXPECT_GT(outputShare.abs().sum().item<double>(), 0);
  EXPECT_TRUE(torch::allclose(grad, embeddingShare + outputShare, 1e-4, 1e-7));

  const torch::Tensor before = table.detach().clone();
  torch::optim::SGD sgd(tied->parameters(), torch::optim::SGDOptions(0.5));
  sgd.step();
  EXPECT_TRUE(torch::allclose(table.detach(), before - 0.5 * grad, 0, 1e-6));
  EXPECT_TRUE(tied->tiedWeight("linear1").is_same(table));
}

// Initialization methods rewrite the weights layers own: the token table a
// tied output layer reads stays the embedding's, as it was drawn.
TEST(SequenceOpsTest, InitializationLeavesTheTiedTableToTheEmbedding) {
  PlanModel model(tinyGptPlan().ops);
  const torch::Tensor table = model->parametersOf("embedding1").at(0);
  const torch::Tensor drawn = table.clone();
  kaimingInitialize(model, "fan_in", "normal", false);
  EXPECT_TRUE(torch::equal(table, drawn));
  orthogonalInitialize(model, 1.0);
  EXPECT_TRUE(torch::equal(table, drawn));
}

TEST(SequenceOpsTest, TyingErrorsNameTheOps) {
  plan::Plan p = tinyGptPlan();
  p.ops[6].attrs["tied_to"] = plan::Scalar::str("layernorm1");
  try {
    PlanModel model(p.ops);
    FAIL() << "a linear tied to a layernorm";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("'layernorm1', which is not an embedding"),
              std::string::npos)
        << e.what();
  }
  p.ops[6].attrs["tied_to"] = plan::Scalar::str("embedding1");
  p.ops[6].attrs["out"] = plan::Scalar::num(12);
  try {
    PlanModel model(p.ops);
    FAIL() << "a 32 -> 12 linear tied to a [16, 32] table";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("[16, 32] token table of 'embedding1'"), std::string::npos)
        << e.what();
  }
}

TEST(SequenceOpsTest, MixedPrecisionKeepsTokenIdsAndNorms) {
  plan::Plan p = tinyGptPlan();
  for (plan::Op& op : p.ops)
    if (op.kind == "causal_attention" || op.kind == "linear" || op.kind == "add") op.dtype = "bf16";
  PlanModel model(p.ops);
  torch::Tensor out = model->forward(randomTokens(2, 16, 16));
  EXPECT_EQ(out.sizes(), (std::vector<int64_t>{2, 16, 16}));
  EXPECT_EQ(out.scalar_type(), torch::kFloat32);
  EXPECT_TRUE(out.isfinite().all().item<bool>());
}

TEST(SequenceOpsTest, LossAndAccuracyCountEveryPosition) {
  torch::manual_seed(4);
  torch::Tensor logits = torch::randn({2, 3, 5});
  torch::Tensor labels = torch::randint(5, {2, 3}, torch::kInt64);
  auto [flat, flatLabels] = flattenPositions(logits, labels);
  EXPECT_EQ(flat.sizes(), (std::vector<int64_t>{6, 5}));
  EXPECT_TRUE(flatLabels.equal(labels.flatten()));
  EXPECT_TRUE(flat[4].equal(logits[1][1]));

  plan::Plan p = tinyGptPlan();
  PlanModel model(p.ops);
  torch::optim::SGD sgd(model->parameters(), torch::optim::SGDOptions(0.1));
  TrainState state(p, model, sgd);
  state.output = logits;
  state.labels = labels;
  state.labelSmoothing = 0.1;
  namespace F = torch::nn::functional;
  EXPECT_NEAR(trainingLoss(state).item<double>(),
              F::cross_entropy(flat, flatLabels, F::CrossEntropyFuncOptions().label_smoothing(0.1))
                  .item<double>(),
              1e-6);
  state.targets = torch::full({2, 5}, 0.2);
  EXPECT_THROW(trainingLoss(state), std::runtime_error); // soft targets have no positions
}

TEST(SequenceOpsTest, FlipTestTimeAugmentationRefusesTokens) {
  plan::Plan p = tinyGptPlan();
  EXPECT_THROW(parseTestTimeAugmentation("flip", p.task), std::invalid_argument);
  EXPECT_EQ(parseTestTimeAugmentation("none", p.task), TestTimeAugmentation::None);
  PlanModel model(p.ops);
  EXPECT_THROW(evaluationLogits(model, randomTokens(1, 4, 16), TestTimeAugmentation::Flip),
               std::invalid_argument);
}

} // namespace
} // namespace fiver::runtime
