// memory_efficient_attention's effect: the composition matrix's probe and
// recipe line, and the method's own tests: the blocked kernel computes
// softmax attention's outputs and gradients for any block size, with and
// without ALiBi; a model trains to the same weights with it; and a step on
// long sequences holds much less memory.
#include "methods/memory_efficient_attention/Pass.h"
#include "runtime/data/Dataset.h"
#include "runtime/metrics/TensorMemory.h"
#include "runtime/model/BlockedAttention.h"
#include "runtime/model/SequenceOps.h"
#include "tests/composition/Probe.h"
#include "tests/composition/ProbeSupport.h"
#include "tests/support/CompileText.h"
#include "tests/support/TinyTasks.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace fiver::composition {
namespace {

// The model's output reaches backward through the blocked kernel, once for
// every attention layer of the plan that trains (a frozen one, with frozen
// layers before it, builds no graph).
class BlockedAttentionProbe : public Probe {
public:
  explicit BlockedAttentionProbe(const plan::Plan& p) {
    for (const plan::Op& op : p.ops)
      if (op.attrs.count("attention_block")) layers_.push_back(op.name);
  }
  void afterMethods(Event e, const TrainState& s) override {
    if (e != Event::AfterForward) return;
    expect(!layers_.empty(), "the plan has no attention op in blocks");
    if (!s.output.requires_grad()) return;
    int training = 0;
    for (const std::string& name : layers_)
      for (const torch::Tensor& p : s.model->parametersOf(name))
        if (p.requires_grad()) {
          ++training;
          break;
        }
    const int found = autogradNodesNamed(s.output, "BlockedCausalAttention");
    expect(found == training, "step " + std::to_string(s.step) + ": " + std::to_string(found) +
                                  " blocked attention nodes for " + std::to_string(training) +
                                  " attention layers that train");
  }

private:
  std::vector<std::string> layers_;
};

const EffectRegistrar kEffect(MethodUnderTest{
    "memory_efficient_attention",
    "remove derived_data static domain memory_efficient_attention(block: 5)",
    {InputKind::Text},
    [](const plan::Plan& p) -> std::unique_ptr<Probe> {
      return std::make_unique<BlockedAttentionProbe>(p);
    },
    {{"activation_checkpointing",
      "its segments run the forward pass without a graph and build the attention's in the "
      "backward pass"},
     {"stochastic_depth", "drops whole blocks, their attention included, in some steps"},
     {"progressive_growing", "leaves waiting blocks, their attention included, out of the "
                             "forward pass"}}});

// --- the method's own tests ---

// softmax(q k^T scale + mask + bias) v with the whole score matrix, in fp64.
torch::Tensor wholeAttention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                             double scale, int64_t heads, bool alibi) {
  const int64_t length = q.size(1);
  torch::Tensor scores = torch::bmm(q, k.transpose(1, 2)) * scale;
  torch::Tensor mask =
      torch::full({length, length}, -std::numeric_limits<double>::infinity(), q.options()).triu(1);
  if (alibi) {
    const int64_t n = q.size(0);
    scores = (scores.view({n / heads, heads, length, length}) +
              runtime::alibiBias(heads, length).to(q.options()))
                 .view({n, length, length});
  }
  return torch::bmm(torch::softmax(scores + mask, -1), v);
}

void expectSameAttention(int64_t block, bool alibi) {
  torch::manual_seed(11);
  const int64_t heads = 2, n = 3 * heads, length = 13, d = 4;
  const double scale = 1 / std::sqrt(static_cast<double>(d));
  auto leaf = [&] { return torch::randn({n, length, d}, torch::kFloat64).requires_grad_(); };
  torch::Tensor q = leaf(), k = leaf(), v = leaf();
  const torch::Tensor gradOut = torch::randn({n, length, d}, torch::kFloat64);
  const torch::Tensor expected = wholeAttention(q, k, v, scale, heads, alibi);
  const auto expectedGrads = torch::autograd::grad({expected}, {q, k, v}, {gradOut});
  auto fp32 = [](const torch::Tensor& t) {
    return t.detach().to(torch::kFloat32).requires_grad_();
  };
  torch::Tensor q32 = fp32(q), k32 = fp32(k), v32 = fp32(v);
  const torch::Tensor slopes = alibi ? runtime::alibiSlopes(heads) : torch::Tensor();
  const torch::Tensor actual = runtime::blockedCausalAttention(q32, k32, v32, scale, block, slopes);
  const auto actualGrads =
      torch::autograd::grad({actual}, {q32, k32, v32}, {gradOut.to(torch::kFloat32)});
  EXPECT_LT(relativeDifference(actual.to(torch::kFloat64), expected), 1e-5)
      << "block " << block << (alibi ? " alibi" : "");
  const char* names[] = {"q", "k", "v"};
  for (size_t i = 0; i < 3; ++i)
    EXPECT_LT(relativeDifference(actualGrads[i].to(torch::kFloat64), expectedGrads[i]), 1e-5)
        << "gradient of " << names[i] << ", block " << block << (alibi ? " alibi" : "");
}

TEST(MemoryEfficientAttentionEffect, BlocksComputeSoftmaxAttentionAndItsGradients) {
  for (int64_t block : {1, 4, 5, 13, 64})
    for (bool alibi : {false, true})
      expectSameAttention(block, alibi);
}

// SGD: Adam's normalized steps would magnify rounding differences of
// near-zero gradients into differences of the learning rate's size.
std::string textRecipe(int64_t length, int64_t heads, const std::string& lines) {
  return "task text {\n  dataset synthetic_text\n  input [" + std::to_string(length) +
         "]\n  classes 24\n  train_size 64\n  test_size 16\n  metric accuracy\n}\n"
         "recipe t {\n  task text\n  model tiny_gpt(dim: 16, blocks: 2, heads: " +
         std::to_string(heads) +
         ")\n  optimizer sgd(lr: 0.1, momentum: 0.9)\n  schedule constant\n  batch_size 16\n"
         "  budget 4 steps\n  seed 2\n" +
         lines + "}\n";
}

std::vector<torch::Tensor> trainedState(const std::string& text) {
  DiagnosticEngine diags;
  std::optional<plan::Plan> p = test::compileText(text, diags);
  if (!p) throw std::runtime_error("the test recipe does not compile");
  runtime::TrainOptions o;
  o.quiet = true;
  o.threads = 1;
  o.prefetch = false;
  runtime::Dataset data = runtime::loadDataset(p->task, p->training.seed);
  runtime::Trainer t(*p, o, &data);
  t.fit();
  return copies(t.model()->stateTensors());
}

const char* kBlocksOf8 =
    "  remove derived_data static domain memory_efficient_attention(block: 8)\n";

TEST(MemoryEfficientAttentionEffect, ATransformerTrainsToTheSameWeights) {
  const std::vector<torch::Tensor> whole = trainedState(textRecipe(20, 2, ""));
  const std::vector<torch::Tensor> blocked = trainedState(textRecipe(20, 2, kBlocksOf8));
  EXPECT_LT(largestDifference(whole, blocked), 1e-5);
}

TEST(MemoryEfficientAttentionEffect, LongSequencesNeedMuchLessMemory) {
  runtime::countTensorMemory();
  auto activations = [](const std::string& lines) {
    runtime::resetLargestStepMemory();
    trainedState(textRecipe(256, 4, lines));
    return runtime::largestStepMemory().activationBytes();
  };
  const int64_t whole = activations("");
  const int64_t blocked = activations(kBlocksOf8);
  // Two layers' [16 * 4, 256, 256] fp32 matrices: 16.8 MB a layer.
  const int64_t matrices = 2 * passes::attentionMatrixBytes(16, 4, 256);
  EXPECT_GT(whole - blocked, matrices / 2)
      << "whole " << whole << " B, blocked " << blocked << " B";
}

} // namespace
} // namespace fiver::composition
