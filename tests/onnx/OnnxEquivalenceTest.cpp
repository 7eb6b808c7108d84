// Imported models against PyTorch: the same input through FiveR's PlanModel
// built from the imported plan and through torchvision's model gives the same
// outputs in eval and in train mode (batch statistics), and one training
// step's loss gives the same gradients. fp32, max abs difference <= 1e-4.
#include "runtime/export/OnnxExport.h"
#include "runtime/model/ImportedWeights.h"
#include "runtime/model/PlanModel.h"
#include "tests/onnx/ReferenceModel.h"
#include "tests/support/CompileText.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <iostream>
#include <map>

using namespace fiver;
using namespace fiver::runtime;

namespace {

constexpr double kTolerance = 1e-4;

torch::Tensor readTensor(const std::string& path, std::vector<int64_t> shape,
                         torch::ScalarType type = torch::kFloat32) {
  std::string bytes = test::readBytes(path);
  torch::Tensor t = torch::empty(shape, type);
  EXPECT_EQ(bytes.size(), static_cast<size_t>(t.numel() * t.element_size())) << path;
  std::memcpy(t.data_ptr(), bytes.data(), std::min<size_t>(bytes.size(), t.nbytes()));
  return t;
}

struct Reference {
  plan::Plan plan;
  nlohmann::json meta;
  torch::Tensor input, labels, evalOut, trainOut, grads;
};

// A recipe that trains the reference `name`: on random RGB 32x32 images,
// or, for a text model, on the synthetic_text task (32 tokens of 32 kinds).
std::string recipeFor(const std::string& name, bool tokens) {
  const std::string model = "onnx(\"" + test::referenceModelPath(name) + "\")";
  if (!tokens) return test::rgbRecipe(model);
  return "recipe t {\n  task synthetic_text\n  model " + model +
         "\n  budget 1 epochs\n  batch_size 4\n}\n";
}

std::optional<Reference> load(const std::string& name) {
  Reference r;
  const std::string base = test::referenceModelsDir() + "/" + name;
  r.meta = nlohmann::json::parse(test::readBytes(base + ".json"));
  std::vector<int64_t> in = r.meta["input_shape"], out = r.meta["output_shape"];
  const bool tokens = r.meta.value("input_type", "float32") == "int64";
  std::vector<int64_t> labels = r.meta.value("labels_shape", std::vector<int64_t>{in[0]});
  r.input = readTensor(base + ".input.bin", in, tokens ? torch::kInt64 : torch::kFloat32);
  r.labels = readTensor(base + ".labels.bin", labels, torch::kInt64);
  r.evalOut = readTensor(base + ".eval.bin", out);
  r.trainOut = readTensor(base + ".train.bin", out);
  int64_t total = 0;
  for (const auto& g : r.meta["grads"]) {
    int64_t n = 1;
    for (int64_t d : g[1].get<std::vector<int64_t>>())
      n *= d;
    total += n;
  }
  r.grads = readTensor(base + ".grads.bin", {total});
  DiagnosticEngine diags;
  std::optional<plan::Plan> p = test::compileText(recipeFor(name, tokens), diags);
  if (!p) {
    for (const Diagnostic& d : diags.diagnostics())
      ADD_FAILURE() << d.message;
    return std::nullopt;
  }
  r.plan = *p;
  return r;
}

double maxAbsDiff(const torch::Tensor& a, const torch::Tensor& b) {
  return (a - b).abs().max().item<double>();
}

// The parameter of the plan's model that starts from the initializer `name`.
torch::Tensor parameterFrom(PlanModelImpl& model, const std::string& name) {
  for (const plan::Op& op : model.ops())
    for (const char* key : {"init_weight", "init_bias"})
      if (plan::getString(op.attrs, key, "") == name) {
        auto params = model.moduleOf(op.name)->named_parameters(false);
        if (std::string(key) == "init_bias") return params["bias"];
        return params.contains("weight") ? params["weight"] : params["token_weight"];
      }
  return {};
}

// The gradient of the initializer `name`: its parameter's, or the
// parameters' that start from blocks of its rows ("name[start:end]", as
// nn.MultiheadAttention's cross-attention splits its packed projection)
// joined in row order. Undefined where neither is trained.
torch::Tensor gradientOf(PlanModelImpl& model, const std::string& name) {
  if (torch::Tensor p = parameterFrom(model, name); p.defined()) return p.grad();
  std::map<int64_t, torch::Tensor> blocks;
  for (const plan::Op& op : model.ops())
    for (const char* key : {"init_weight", "init_bias"}) {
      const std::string ref = plan::getString(op.attrs, key, "");
      if (ref.rfind(name + "[", 0) != 0) continue;
      torch::Tensor p = parameterFrom(model, ref);
      if (!p.defined() || !p.grad().defined()) return {};
      blocks[std::stoll(ref.substr(name.size() + 1))] = p.grad();
    }
  if (blocks.empty()) return {};
  std::vector<torch::Tensor> rows;
  for (auto& [start, grad] : blocks)
    rows.push_back(grad);
  return torch::cat(rows);
}

// The model exported back to ONNX by FiveR and imported again computes what
// it computed (the export rows of every op kind the import brought).
void expectRoundTrip(const std::string& name, const plan::Plan& plan, PlanModelImpl& model,
                     const torch::Tensor& input, const torch::Tensor& expected) {
  const std::string path = test::referenceModelsDir() + "/" + name + ".roundtrip.onnx";
  runtime::OnnxExport exported = runtime::exportToOnnx(plan, model, {});
  runtime::writeOnnxModel(exported.model, path);
  DiagnosticEngine diags;
  const std::string file = "onnx(\"" + path + "\")";
  std::optional<plan::Plan> again = test::compileText(
      input.scalar_type() == torch::kInt64
          ? "recipe t {\n  task synthetic_text\n  model " + file + "\n  budget 1 epochs\n}\n"
          : test::rgbRecipe(file),
      diags);
  ASSERT_TRUE(again) << (diags.diagnostics().empty() ? "" : diags.diagnostics()[0].message);
  PlanModel reimported(again->ops);
  loadImportedWeights(*reimported, *again);
  reimported->eval();
  torch::NoGradGuard noGrad;
  const double diff = maxAbsDiff(reimported->forward(input), expected);
  std::cout << name << ": exported and imported again, max abs diff " << diff << "\n";
  EXPECT_LE(diff, 1e-5);
}

// Forward in eval and train mode and one step's gradients, against PyTorch.
void expectEquivalent(const std::string& name, bool roundTrip = false) {
  if (std::string why = test::referenceMissing(name); !why.empty()) GTEST_SKIP() << why;
  std::optional<Reference> ref = load(name);
  ASSERT_TRUE(ref);
  torch::manual_seed(0);
  PlanModel model(ref->plan.ops);
  loadImportedWeights(*model, ref->plan);
  model->eval();
  torch::Tensor evalOut;
  {
    torch::NoGradGuard noGrad;
    evalOut = model->forward(ref->input);
  }
  const double evalDiff = maxAbsDiff(evalOut, ref->evalOut);
  model->train();
  torch::Tensor trainOut = model->forward(ref->input);
  const double trainDiff = maxAbsDiff(trainOut, ref->trainOut);
  // Mean cross entropy over every prediction (each position of a sequence).
  torch::nn::functional::cross_entropy(trainOut.reshape({-1, trainOut.size(-1)}),
                                       ref->labels.reshape({-1}))
      .backward();
  double gradDiff = 0, gradScale = 0;
  int64_t offset = 0, compared = 0;
  for (const auto& g : ref->meta["grads"]) {
    const std::string param = g[0];
    std::vector<int64_t> shape = g[1];
    const int64_t n = c10::multiply_integers(shape);
    torch::Tensor expected = ref->grads.narrow(0, offset, n).view(shape);
    offset += n;
    torch::Tensor grad = gradientOf(*model, param);
    ASSERT_TRUE(grad.defined()) << "no trained parameter starts from '" << param << "'";
    ASSERT_EQ(grad.numel(), expected.numel()) << param; // a position table may hold [1, T, D]
    gradDiff = std::max(gradDiff, maxAbsDiff(grad.reshape(expected.sizes()), expected));
    gradScale = std::max(gradScale, expected.abs().max().item<double>());
    ++compared;
  }
  std::cout << name << ": max abs diff eval " << evalDiff << ", train " << trainDiff
            << ", gradients " << gradDiff << " (largest gradient " << gradScale << ", " << compared
            << " parameters)\n";
  EXPECT_LE(evalDiff, kTolerance);
  EXPECT_LE(trainDiff, kTolerance);
  EXPECT_LE(gradDiff, kTolerance);
  if (roundTrip) {
    model->eval();
    expectRoundTrip(name, ref->plan, *model, ref->input, model->forward(ref->input).detach());
  }
}

} // namespace

TEST(OnnxEquivalence, Resnet18) {
  expectEquivalent("resnet18");
}

TEST(OnnxEquivalence, MobilenetV2) {
  expectEquivalent("mobilenet_v2");
}

TEST(OnnxEquivalence, MobilenetV3Small) {
  expectEquivalent("mobilenet_v3_small");
}

TEST(OnnxEquivalence, EfficientnetB0) {
  expectEquivalent("efficientnet_b0");
}

TEST(OnnxEquivalence, Resnet50) {
  expectEquivalent("resnet50");
}

// torchvision's VisionTransformer (2 layers, 2 heads, width 64, 4x4 patches
// of 32x32 images): LayerNormalization at opset 17, decomposed at opset 14.
TEST(OnnxEquivalence, VitSmall) {
  expectEquivalent("vit_small", /*roundTrip=*/true);
}

TEST(OnnxEquivalence, VitSmallOpset14) {
  expectEquivalent("vit_small_opset14");
}

// GPT-style causal transformers over 32 tokens: one written by hand (q, k, v
// linears, a registered triangle with masked_fill), one from
// nn.TransformerEncoder's pre-norm layers with an additive causal mask.
TEST(OnnxEquivalence, GptHandWritten) {
  expectEquivalent("gpt_handwritten", /*roundTrip=*/true);
}

// Its output layer reads the token table: imported tied (one parameter whose
// gradient sums both uses), exported tied.
TEST(OnnxEquivalence, GptTiedHead) {
  if (std::string why = test::referenceMissing("gpt_tied"); !why.empty()) GTEST_SKIP() << why;
  std::optional<Reference> ref = load("gpt_tied");
  ASSERT_TRUE(ref);
  int tied = 0;
  for (const plan::Op& op : ref->plan.ops)
    tied += plan::getString(op.attrs, "tied_to", "").empty() ? 0 : 1;
  EXPECT_EQ(tied, 1);
  expectEquivalent("gpt_tied", /*roundTrip=*/true);
}

TEST(OnnxEquivalence, GptTransformerEncoder) {
  expectEquivalent("gpt_encoder", /*roundTrip=*/true);
}

// nn.TransformerDecoder used decoder-only: each layer's cross-attention reads
// the embedded tokens as its memory under the causal mask. Its packed
// projection is sliced into a query block and a key-value block: two
// parameters, one from each block of the initializer's rows.
TEST(OnnxEquivalence, GptTransformerDecoder) {
  if (std::string why = test::referenceMissing("gpt_decoder"); !why.empty()) GTEST_SKIP() << why;
  std::optional<Reference> ref = load("gpt_decoder");
  ASSERT_TRUE(ref);
  int blocks = 0;
  for (const plan::Op& op : ref->plan.ops)
    blocks +=
        plan::getString(op.attrs, "init_weight", "").find("in_proj_weight[") != std::string::npos;
  EXPECT_EQ(blocks, 4); // query and key-value blocks of 2 layers' cross-attention
  expectEquivalent("gpt_decoder", /*roundTrip=*/true);
}

// Stochastic depth on an imported ResNet drops the residual branches and keeps
// the shortcuts, downsampling ones included (torchvision's export computes
// those after the branch, so op order alone would pick the wrong side).
TEST(OnnxEquivalence, Resnet18DroppedBranchesKeepTheirShortcuts) {
  if (std::string why = test::referenceMissing("resnet18"); !why.empty()) GTEST_SKIP() << why;
  std::optional<Reference> ref = load("resnet18");
  ASSERT_TRUE(ref);
  PlanModel model(ref->plan.ops);
  loadImportedWeights(*model, ref->plan);
  std::vector<int> adds = model->residualAdds();
  ASSERT_EQ(adds.size(), 8u);
  model->setBranchDrops(std::set<int>(adds.begin(), adds.end()), {});
  model->train();
  torch::nn::functional::cross_entropy(model->forward(ref->input), ref->labels).backward();
  for (const char* shortcut : {"layer2.0.downsample.0.weight", "layer3.0.downsample.0.weight",
                               "layer4.0.downsample.0.weight", "conv1.weight"}) {
    torch::Tensor p = parameterFrom(*model, shortcut);
    ASSERT_TRUE(p.defined()) << shortcut;
    EXPECT_TRUE(p.grad().defined() && p.grad().abs().sum().item<double>() > 0) << shortcut;
  }
  for (const char* branch : {"layer1.0.conv1.weight", "layer2.0.conv2.weight",
                             "layer3.1.conv1.weight", "layer4.0.conv1.weight"}) {
    torch::Tensor p = parameterFrom(*model, branch);
    ASSERT_TRUE(p.defined()) << branch;
    EXPECT_FALSE(p.grad().defined() && p.grad().abs().sum().item<double>() > 0) << branch;
  }
}
