#include "runtime/export/TensorOpsOnnx.h"

#include <limits>
#include <sstream>
#include <stdexcept>

namespace fiver::runtime {

namespace {

int64_t attr(const plan::Op& op, const char* key) {
  return static_cast<int64_t>(plan::getNumber(op.attrs, key, 0));
}

std::vector<int64_t> axes(const plan::Op& op, const char* key) {
  std::vector<int64_t> values;
  std::stringstream in(plan::getString(op.attrs, key, ""));
  for (std::string item; std::getline(in, item, ',');)
    values.push_back(std::stoll(item));
  return values;
}

// An axis after the batch as ONNX counts it.
int64_t onnxAxis(const plan::Op& op, const char* key) {
  return attr(op, key) + 1;
}

const std::string& in0(const OnnxOpContext& c) {
  return c.inputs.at(0);
}

} // namespace

// The tensor [1, dims] expanded to the batch of the model's input.
std::string exportParameterToOnnx(OnnxOpContext& c) {
  std::vector<torch::Tensor> params = c.model.parametersOf(c.op.name);
  if (params.empty()) throw std::runtime_error("parameter '" + c.op.name + "' has no tensor");
  OnnxGraph& g = c.graph;
  const std::string& name = c.op.name;
  const std::string shape = g.apply("Shape", {c.modelInput}, name + "/input_shape");
  const std::string batch =
      g.apply("Slice", {shape, g.int64s(name + "/zero", {0}), g.int64s(name + "/one", {1})},
              name + "/batch");
  onnx::NodeProto& sizes =
      g.node("Concat", {batch, g.int64s(name + "/dims", c.op.shape)}, name + "/sizes");
  setInt(sizes, "axis", 0);
  return g.apply("Expand", {g.weight(name + ".weight", params[0]), OnnxGraph::out(sizes)}, name);
}

// 0 keeps the batch.
std::string exportReshapeToOnnx(OnnxOpContext& c) {
  std::vector<int64_t> dims = {0};
  for (int64_t d : axes(c.op, "dims"))
    dims.push_back(d);
  return c.graph.apply("Reshape", {in0(c), c.graph.int64s(c.op.name + "/dims", dims)}, c.op.name);
}

std::string exportTransposeToOnnx(OnnxOpContext& c) {
  std::vector<int64_t> perm = {0};
  for (int64_t p : axes(c.op, "perm"))
    perm.push_back(p + 1);
  onnx::NodeProto& n = c.graph.node("Transpose", {in0(c)}, c.op.name);
  setInts(n, "perm", perm);
  return OnnxGraph::out(n);
}

std::string exportConcatToOnnx(OnnxOpContext& c) {
  onnx::NodeProto& n = c.graph.node("Concat", c.inputs, c.op.name);
  setInt(n, "axis", onnxAxis(c.op, "axis"));
  return OnnxGraph::out(n);
}

std::string exportSliceToOnnx(OnnxOpContext& c) {
  OnnxGraph& g = c.graph;
  const std::string& name = c.op.name;
  return g.apply("Slice",
                 {in0(c), g.int64s(name + "/start", {attr(c.op, "start")}),
                  g.int64s(name + "/end", {attr(c.op, "end")}),
                  g.int64s(name + "/axis", {onnxAxis(c.op, "axis")})},
                 name);
}

std::string exportMatMulToOnnx(OnnxOpContext& c) {
  return c.graph.apply("MatMul", {in0(c), c.inputs.at(1)}, c.op.name);
}

std::string exportScaleToOnnx(OnnxOpContext& c) {
  const auto factor = static_cast<float>(plan::getNumber(c.op.attrs, "factor", 1));
  return c.graph.apply("Mul", {in0(c), c.graph.scalar(c.op.name + ".factor", factor)}, c.op.name);
}

std::string exportSoftmaxToOnnx(OnnxOpContext& c) {
  onnx::NodeProto& n = c.graph.node("Softmax", {in0(c)}, c.op.name);
  setInt(n, "axis", onnxAxis(c.op, "axis"));
  return OnnxGraph::out(n);
}

// Adds the constant mask: 0 on and below the diagonal, -inf above it.
std::string exportCausalMaskToOnnx(OnnxOpContext& c) {
  if (c.op.shape.size() < 2)
    throw std::runtime_error("causal_mask '" + c.op.name + "' has no [.., T, T] shape");
  const int64_t t = c.op.shape.back();
  const torch::Tensor mask = torch::full({t, t}, -std::numeric_limits<float>::infinity()).triu(1);
  return c.graph.apply("Add", {in0(c), c.graph.weight(c.op.name + ".mask", mask)}, c.op.name);
}

} // namespace fiver::runtime
