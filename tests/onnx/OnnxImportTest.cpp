// The importer on its own: reference models map to the expected ops, and bad
// files are problems with codes, never crashes.
#include "compiler/onnx/OnnxImport.h"
#include "tests/onnx/ReferenceModel.h"
#include "tests/support/CompileText.h"

#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <filesystem>
#include <limits>
#include <map>

using namespace fiver;
using namespace fiver::onnx_import;

namespace {

std::map<std::string, int> kindCounts(const ImportedModel& m) {
  std::map<std::string, int> counts;
  for (const ImportedOp& op : m.ops)
    ++counts[op.kind];
  return counts;
}

} // namespace

TEST(OnnxImport, Resnet18MapsToConvNormPoolLinear) {
  if (std::string why = test::referenceMissing("resnet18"); !why.empty()) GTEST_SKIP() << why;
  ImportResult r = importOnnxFile(test::referenceModelPath("resnet18"));
  ASSERT_TRUE(r.model) << r.problem.message;
  std::map<std::string, int> want = {
      {"input", 1},   {"conv", 20},          {"bn", 20},   {"relu", 17}, {"add", 8}, {"maxpool", 1},
      {"flatten", 1}, {"global_avgpool", 1}, {"linear", 1}};
  EXPECT_EQ(kindCounts(*r.model), want);
  EXPECT_EQ(r.model->inputShape, (std::vector<int64_t>{3, 32, 32}));
  EXPECT_EQ(r.model->hash.size(), 16u);
  const ImportedOp& stem = r.model->ops[1];
  EXPECT_EQ(plan::getString(stem.attrs, "init_weight", ""), "conv1.weight");
  EXPECT_EQ(plan::getNumber(stem.attrs, "stride", 0), 2);
  EXPECT_EQ(plan::getNumber(stem.attrs, "padding", 0), 3);
}

TEST(OnnxImport, TruncatedFileIsAProblemNotACrash) {
  if (std::string why = test::referenceMissing("resnet18"); !why.empty()) GTEST_SKIP() << why;
  const std::string bytes = test::readBytes(test::referenceModelPath("resnet18"));
  for (size_t keep : {size_t{0}, size_t{1}, size_t{17}, bytes.size() / 2, bytes.size() - 1}) {
    ImportResult r = importOnnxBytes(std::string_view(bytes).substr(0, keep), "cut.onnx");
    EXPECT_FALSE(r.model) << keep;
    EXPECT_FALSE(r.problem.message.empty());
  }
}

TEST(OnnxImport, MissingFileIsUnreadable) {
  ImportResult r = importOnnxFile("/nonexistent/model.onnx");
  ASSERT_FALSE(r.model);
  EXPECT_EQ(r.problem.id, DiagId::OnnxUnreadable);
}

TEST(OnnxImport, RecipeFitsHeadAndChannelsToTheTask) {
  if (std::string why = test::referenceMissing("resnet18"); !why.empty()) GTEST_SKIP() << why;
  const std::string file = "\"" + test::referenceModelPath("resnet18") + "\"";
  // Fashion-MNIST: one channel into an RGB model, 10 classes.
  test::CheckOutcome plain = test::checkText(test::recipeWith("", "onnx(" + file + ")"));
  EXPECT_TRUE(plain.has(DiagId::OnnxInputMismatch)) << plain.rendered();
  test::CheckOutcome summed =
      test::checkText(test::recipeWith("", "onnx(" + file + ", channels: sum)"));
  ASSERT_TRUE(summed.recipe) << summed.rendered();
  const ImportedOp& stem = summed.recipe->model.imported->ops[1];
  EXPECT_EQ(plan::getNumber(stem.attrs, "in", 0), 1);
  EXPECT_EQ(plan::getString(stem.attrs, "adapt_input", ""), "sum");
  // A text task has no images at all.
  test::CheckOutcome text = test::checkText("recipe t {\n  task synthetic_text\n  model onnx(" +
                                            file + ")\n  budget 1 epochs\n}\n");
  EXPECT_TRUE(text.has(DiagId::OnnxInputMismatch)) << text.rendered();
}

TEST(OnnxImport, PlanRecordsTheFileAndItsHash) {
  if (std::string why = test::referenceMissing("resnet18"); !why.empty()) GTEST_SKIP() << why;
  DiagnosticEngine diags;
  std::optional<plan::Plan> p = test::compileText(
      test::rgbRecipe("onnx(\"" + test::referenceModelPath("resnet18") + "\", weights: random)"),
      diags);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->modelSource.format, "onnx");
  EXPECT_EQ(p->modelSource.weights, "random");
  EXPECT_EQ(p->modelSource.hash.size(), 16u);
  const std::string text = plan::planToString(*p);
  EXPECT_NE(text.find("model_source: {format: \"onnx\""), std::string::npos);
  EXPECT_EQ(plan::parsePlan(text, "p.yaml"), *p);
}

// The ViT's shape subgraphs fold away; what remains is its layers, with
// nn.MultiheadAttention as linear, reshape/transpose, matmul and softmax ops
// on tensors that keep the batch first.
TEST(OnnxImport, VitMapsToTransformerOps) {
  for (const char* name : {"vit_small", "vit_small_opset14"}) {
    if (std::string why = test::referenceMissing(name); !why.empty()) GTEST_SKIP() << why;
    ImportResult r = importOnnxFile(test::referenceModelPath(name));
    ASSERT_TRUE(r.model) << name << ": " << r.problem.message;
    std::map<std::string, int> counts = kindCounts(*r.model);
    EXPECT_EQ(counts["conv"], 1) << name;
    EXPECT_EQ(counts["parameter"], 2) << name; // class token, position table
    EXPECT_EQ(counts["concat"], 1) << name;
    EXPECT_EQ(counts["layernorm"], 5) << name;
    EXPECT_EQ(counts["linear"], 9) << name; // qkv, out and two MLP layers a block; the head
    EXPECT_EQ(counts["matmul"], 4) << name;
    EXPECT_EQ(counts["softmax"], 2) << name;
    EXPECT_EQ(counts["gelu"], 2) << name;
    EXPECT_EQ(counts["scale"], 2) << name;
    EXPECT_EQ(counts["add"], 5) << name; // the position table and two residuals a block
    for (const ImportedOp& op : r.model->ops) {
      if (op.kind == "linear") {
        EXPECT_NE(plan::getNumber(op.attrs, "bias", 0), 0) << name << " " << op.node;
      }
    }
  }
}

TEST(OnnxImport, VitFeedsFashionMnistWithSummedChannels) {
  if (std::string why = test::referenceMissing("vit_fmnist"); !why.empty()) GTEST_SKIP() << why;
  const std::string file = "\"" + test::referenceModelPath("vit_fmnist") + "\"";
  test::CheckOutcome summed =
      test::checkText(test::recipeWith("", "onnx(" + file + ", channels: sum)"));
  ASSERT_TRUE(summed.recipe) << summed.rendered();
  const ImportedOp& stem = summed.recipe->model.imported->ops[1];
  EXPECT_EQ(stem.kind, "conv");
  EXPECT_EQ(plan::getString(stem.attrs, "adapt_input", ""), "sum");
}

// GPT-style models: the token table a model's ids read is an embedding, the
// position table a parameter, the causal mask (masked_fill, or an additive
// -inf mask through nn.MultiheadAttention) a causal_mask op.
TEST(OnnxImport, GptsMapToEmbeddingAndCausalMask) {
  for (const char* name : {"gpt_handwritten", "gpt_encoder"}) {
    if (std::string why = test::referenceMissing(name); !why.empty()) GTEST_SKIP() << why;
    ImportResult r = importOnnxFile(test::referenceModelPath(name));
    ASSERT_TRUE(r.model) << name << ": " << r.problem.message;
    EXPECT_TRUE(r.model->tokens);
    std::map<std::string, int> counts = kindCounts(*r.model);
    EXPECT_EQ(counts["embedding"], 1) << name;
    EXPECT_EQ(counts["parameter"], 1) << name;
    EXPECT_EQ(counts["causal_mask"], 2) << name;
    EXPECT_EQ(counts["softmax"], 2) << name;
    EXPECT_EQ(counts["layernorm"], 5) << name;
    EXPECT_EQ(r.model->ops.back().kind, "linear") << name;
  }
  // A text model on an image task is a mismatch with a code.
  const std::string file = "\"" + test::referenceModelPath("gpt_handwritten") + "\"";
  test::CheckOutcome images = test::checkText(test::recipeWith("", "onnx(" + file + ")"));
  EXPECT_TRUE(images.has(DiagId::OnnxInputMismatch)) << images.rendered();
}

namespace {

// A graph written node by node (no exporter), for shapes PyTorch writes in
// larger models: one float input [batch, 8] and one output.
struct GraphWriter {
  onnx::ModelProto model;
  onnx::GraphProto& graph = *model.mutable_graph();

  GraphWriter() {
    model.set_ir_version(8);
    model.add_opset_import()->set_version(14);
    onnx::ValueInfoProto& in = *graph.add_input();
    in.set_name("input");
    onnx::TypeProto_Tensor& t = *in.mutable_type()->mutable_tensor_type();
    t.set_elem_type(onnx::TensorProto::FLOAT);
    t.mutable_shape()->add_dim()->set_dim_param("batch");
    t.mutable_shape()->add_dim()->set_dim_value(8);
  }
  void ints(const std::string& name, std::vector<int64_t> values, bool scalar = false) {
    onnx::TensorProto& c = *graph.add_initializer();
    c.set_name(name);
    c.set_data_type(onnx::TensorProto::INT64);
    if (!scalar) c.add_dims(static_cast<int64_t>(values.size()));
    for (int64_t v : values)
      c.add_int64_data(v);
  }
  void floats(const std::string& name, int64_t rows, int64_t cols) {
    onnx::TensorProto& c = *graph.add_initializer();
    c.set_name(name);
    c.set_data_type(onnx::TensorProto::FLOAT);
    c.add_dims(rows);
    c.add_dims(cols);
    for (int64_t i = 0; i < rows * cols; ++i)
      c.add_float_data(static_cast<float>(i) / 100.0f);
  }
  void node(const std::string& op, std::vector<std::string> inputs, const std::string& output) {
    onnx::NodeProto& n = *graph.add_node();
    n.set_op_type(op);
    n.set_name(output);
    for (const std::string& i : inputs)
      n.add_input(i);
    n.add_output(output);
  }
  ImportResult import(const std::string& output) {
    graph.add_output()->set_name(output);
    return importOnnxBytes(model.SerializeAsString(), "written.onnx");
  }
};

} // namespace

// A slice "to the end" is written with INT64_MAX, which the folded shape
// arithmetic holds as a double (2^63): it must still mean "to the end". A
// Slice of an initializer's rows stays a parameter: a block of them.
TEST(OnnxImport, SlicesToTheEndAndBlocksOfInitializerRows) {
  GraphWriter g;
  g.ints("last", {-1});
  g.ints("end", {std::numeric_limits<int64_t>::max()});
  g.ints("axis0", {0});
  g.ints("two", {2}, /*scalar=*/true);
  g.floats("packed", 24, 8);
  g.node("Shape", {"input"}, "shape");
  g.node("Slice", {"shape", "last", "end", "axis0"}, "width_1"); // [8]
  g.node("Squeeze", {"width_1", "axis0"}, "width");              // 8
  g.node("Mul", {"width", "two"}, "twice");                      // 16
  g.node("Unsqueeze", {"width", "axis0"}, "start");              // [8]
  g.node("Slice", {"packed", "start", "end", "axis0"}, "rows");  // packed[8:24]
  g.node("Transpose", {"rows"}, "rows_t");
  g.node("MatMul", {"input", "rows_t"}, "output");
  ImportResult r = g.import("output");
  ASSERT_TRUE(r.model) << r.problem.message;
  const ImportedOp& linear = r.model->ops.back();
  EXPECT_EQ(linear.kind, "linear");
  EXPECT_EQ(plan::getString(linear.attrs, "init_weight", ""), "packed[8:24]");
  EXPECT_EQ(plan::getNumber(linear.attrs, "out", 0), 16);
}

// Squeezing an axis whose size is not 1 is refused with a reason, not read
// past the folded values' end.
TEST(OnnxImport, SqueezeOfALongAxisIsAProblem) {
  GraphWriter g;
  g.ints("axis0", {0});
  g.ints("two", {2}, /*scalar=*/true);
  g.node("Shape", {"input"}, "shape");          // [batch, 8]: two values
  g.node("Squeeze", {"shape", "axis0"}, "bad"); // axis 0 has size 2
  g.node("Mul", {"bad", "two"}, "output");
  ImportResult r = g.import("output");
  ASSERT_FALSE(r.model);
  EXPECT_NE(r.problem.message.find("squeezes axis 0 of size 2"), std::string::npos)
      << r.problem.message;
}

// Files the importer fuzzer once crashed on (tests/fuzz/onnx_regressions:
// a node without an output, a broadcast against an axis of size 0) are
// problems now.
TEST(OnnxImport, FuzzerFindingsAreProblems) {
  const std::filesystem::path root =
      std::filesystem::path(FIVER_TEST_SOURCE_DIR) / "tests/fuzz/onnx_regressions";
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(root)) {
    ImportResult r = importOnnxBytes(test::readBytes(entry.path().string()), "found.onnx");
    EXPECT_FALSE(r.model) << entry.path();
    EXPECT_FALSE(r.problem.message.empty()) << entry.path();
    ++files;
  }
  EXPECT_GE(files, 2);
}
