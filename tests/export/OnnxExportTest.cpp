// Export of each native model's plan to ONNX: the model compiled from a
// recipe, built with random weights and statistics, exported, and checked by
// onnx::checker; the per-op mapping covered op kind by op kind. Outputs are
// compared with an independent ONNX runtime by the e2e test export_onnxruntime.
#include "runtime/export/OnnxExport.h"
#include "compiler/plan/OpKinds.h"
#include "tests/support/CompileText.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace fiver {
namespace {

using runtime::OnnxExport;
using runtime::OnnxExportError;
using runtime::PlanModel;

plan::Plan compiled(const std::string& text, bool fuse = false) {
  DiagnosticEngine diags;
  CompileOptions options;
  options.fuse = fuse;
  std::optional<plan::Plan> p = test::compileText(text, diags, options);
  if (!p) {
    ADD_FAILURE() << "recipe did not compile:\n" << text;
    return {};
  }
  return *p;
}

std::string recipe(const std::string& task, const std::string& model, const std::string& lines) {
  return "recipe t {\n  task " + task + "\n  model " + model + "\n  budget 2 epochs\n" + lines +
         "}\n";
}

// Batch-norm statistics away from their initial 0 and 1, so that a mapping
// that dropped them would change the outputs.
void randomizeStatistics(PlanModel& model) {
  torch::NoGradGuard noGrad;
  for (const auto& module : model->modules(false))
    if (auto* bn = dynamic_cast<torch::nn::BatchNorm2dImpl*>(module.get())) {
      bn->running_mean.uniform_(-0.5, 0.5);
      bn->running_var.uniform_(0.5, 1.5);
    }
}

std::multiset<std::string> opTypes(const onnx::ModelProto& m) {
  std::multiset<std::string> types;
  for (const onnx::NodeProto& n : m.graph().node())
    types.insert(n.op_type());
  return types;
}

OnnxExport exportChecked(const plan::Plan& p, bool fold = false) {
  PlanModel model(p.ops);
  randomizeStatistics(model);
  model->eval();
  OnnxExport out = runtime::exportToOnnx(p, *model, {fold, {{"recipe", p.recipe}}});
  EXPECT_NO_THROW(runtime::checkOnnxModel(out.model));
  return out;
}

struct NativeModel {
  const char* name;
  const char* task;
  const char* model;
  const char* lines;
  bool fuse;
  std::vector<const char*> expectedOps;
};

// ctest lists the case by its name, not by its bytes.
void PrintTo(const NativeModel& m, std::ostream* os) {
  *os << m.name;
}

class NativeModels : public ::testing::TestWithParam<NativeModel> {};

TEST_P(NativeModels, ExportAndPassTheChecker) {
  const NativeModel& m = GetParam();
  plan::Plan p = compiled(recipe(m.task, m.model, m.lines), m.fuse);
  ASSERT_FALSE(p.ops.empty());
  OnnxExport out = exportChecked(p);
  const onnx::GraphProto& g = out.model.graph();
  ASSERT_EQ(g.input_size(), 1);
  ASSERT_EQ(g.output_size(), 1);
  EXPECT_EQ(g.input(0).type().tensor_type().shape().dim(0).dim_param(), "batch");
  EXPECT_EQ(g.output(0).name(), "logits");
  EXPECT_EQ(out.model.opset_import(0).version(), runtime::kOnnxOpset);
  for (const onnx::TensorProto& init : g.initializer())
    EXPECT_TRUE(init.data_type() == onnx::TensorProto::FLOAT ||
                init.data_type() == onnx::TensorProto::INT64)
        << init.name();
  const std::multiset<std::string> types = opTypes(out.model);
  for (const char* op : m.expectedOps)
    EXPECT_TRUE(types.count(op)) << m.name << " has no " << op << " node";
  EXPECT_FALSE(types.count("Dropout")) << "evaluation drops nothing";
}

INSTANTIATE_TEST_SUITE_P(
    OnnxExport, NativeModels,
    ::testing::Values(
        NativeModel{"fmnist_cnn",
                    "fashion_mnist",
                    "fmnist_cnn(width: 8)",
                    "",
                    false,
                    {"Conv", "BatchNormalization", "Relu", "MaxPool", "Gemm"}},
        NativeModel{"small_cnn",
                    "fashion_mnist",
                    "small_cnn(width: 8)",
                    "",
                    false,
                    {"Conv", "BatchNormalization", "GlobalAveragePool", "Flatten", "Gemm"}},
        NativeModel{"resnet_tiny",
                    "fashion_mnist",
                    "resnet_tiny(width: 8)",
                    "",
                    false,
                    {"Conv", "BatchNormalization", "Add", "Gemm"}},
        NativeModel{"resnet_tiny_blur_se",
                    "fashion_mnist",
                    "resnet_tiny(width: 16)",
                    "  replace architecture static domain blurpool\n"
                    "  retrofit architecture static domain squeeze_excite(reduction: 4)\n",
                    false,
                    {"Conv", "Sigmoid", "Unsqueeze", "Mul", "Add"}},
        NativeModel{
            "small_cnn_fused", "fashion_mnist", "small_cnn(width: 8)", "", true, {"Conv", "Gemm"}},
        NativeModel{"tiny_gpt",
                    "synthetic_text",
                    "tiny_gpt(dim: 32, blocks: 1, heads: 2)",
                    "",
                    false,
                    {"Gather", "LayerNormalization", "Softmax", "MatMul"}}),
    [](const ::testing::TestParamInfo<NativeModel>& info) { return std::string(info.param.name); });

// A conv that layer_freezing folded exports as one Conv; without --fold-bn
// its norm stays a node of its own.
TEST(OnnxExport, FoldsBatchNormOfFoldedConvsOnlyWhenAsked) {
  plan::Plan p = compiled(recipe("fashion_mnist", "small_cnn(width: 8)",
                                 "  reorder model_parameters dynamic domain "
                                 "layer_freezing(start: 10%, end: 50%)\n"));
  std::string conv;
  for (const plan::Op& op : p.ops)
    if (!plan::getString(op.attrs, "fold_bn", "").empty() && conv.empty()) conv = op.name;
  ASSERT_FALSE(conv.empty()) << "layer_freezing marked no conv for folding";
  PlanModel model(p.ops);
  randomizeStatistics(model);
  model->foldBatchNorm(conv);
  model->eval();
  const OnnxExport kept = runtime::exportToOnnx(p, *model, {false, {}});
  const OnnxExport folded = runtime::exportToOnnx(p, *model, {true, {}});
  runtime::checkOnnxModel(folded.model);
  EXPECT_EQ(folded.foldedConvs, std::vector<std::string>{conv});
  EXPECT_TRUE(kept.foldedConvs.empty());
  EXPECT_EQ(opTypes(kept.model).count("BatchNormalization"),
            opTypes(folded.model).count("BatchNormalization") + 1);
}

// A fused op unfuses into its elementwise sequence, parameters viewed per channel.
TEST(OnnxExport, FusedOpsBecomeTheirElementwiseSequence) {
  plan::Plan p = compiled(recipe("fashion_mnist", "small_cnn(width: 8)", ""), /*fuse=*/true);
  bool anyFused = false;
  for (const plan::Op& op : p.ops)
    anyFused |= plan::isKind(op.kind, plan::OpKind::Fused);
  ASSERT_TRUE(anyFused) << "op_fusion fused nothing";
  OnnxExport out = exportChecked(p);
  EXPECT_GT(out.model.graph().node_size(), static_cast<int>(p.ops.size()));
}

// A model the checker refuses is an error with its reason, never a crash.
TEST(OnnxExport, ACheckerComplaintIsAnError) {
  plan::Plan p = compiled(recipe("fashion_mnist", "small_cnn(width: 8)", ""));
  OnnxExport out = exportChecked(p);
  out.model.mutable_graph()->mutable_node(0)->set_input(0, "no_such_value");
  try {
    runtime::checkOnnxModel(out.model);
    FAIL() << "the checker accepted a node reading an undefined value";
  } catch (const OnnxExportError& e) {
    EXPECT_NE(std::string(e.what()).find("checker"), std::string::npos) << e.what();
  }
}

// model.pt beside the ONNX file is LibTorch's archive of the same module:
// torch::load reads it back into the model the plan builds.
TEST(OnnxExport, TheLibTorchArchiveLoadsIntoThePlansModel) {
  plan::Plan p = compiled(recipe("fashion_mnist", "resnet_tiny(width: 8)", ""));
  PlanModel trained(p.ops);
  randomizeStatistics(trained);
  const std::string path = ::testing::TempDir() + "/fiver_export_archive.pt";
  torch::save(trained, path);
  PlanModel loaded(p.ops);
  torch::load(loaded, path);
  const std::vector<torch::Tensor> a = trained->stateTensors(), b = loaded->stateTensors();
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i)
    EXPECT_TRUE(torch::equal(a[i], b[i])) << "state tensor " << i;
}

} // namespace
} // namespace fiver
