#include "runtime/export/SequenceOpsOnnx.h"

#include <cmath>
#include <limits>
#include <stdexcept>

namespace fiver::runtime {

namespace {

template <typename ModuleImpl> ModuleImpl& moduleOf(OnnxOpContext& c) {
  auto module = std::dynamic_pointer_cast<ModuleImpl>(c.model.moduleOf(c.op.name));
  if (!module) throw std::runtime_error("op '" + c.op.name + "' has no module of its kind");
  return *module;
}

torch::Tensor namedParameter(OnnxOpContext& c, const std::string& name) {
  const torch::Tensor* p = c.model.moduleOf(c.op.name)->named_parameters().find(name);
  if (!p) throw std::runtime_error("op '" + c.op.name + "' has no parameter '" + name + "'");
  return *p;
}

int64_t sequenceLength(const plan::Op& op) {
  if (op.shape.size() != 2)
    throw std::runtime_error("op '" + op.name + "' (" + op.kind + ") exports on [length, dim]");
  return op.shape[0];
}

// x W^T + b on [B, T, in], with `layer` the parameters' prefix ("qkv").
std::string projection(OnnxOpContext& c, const std::string& x, const std::string& layer) {
  OnnxGraph& g = c.graph;
  const std::string prefix = c.op.name + "." + layer;
  const std::string product = g.apply(
      "MatMul", {x, g.weight(prefix + ".weight_t", namedParameter(c, layer + ".weight").t())},
      c.op.name + "/" + layer + "_matmul");
  return g.apply("Add", {product, g.weight(prefix + ".bias", namedParameter(c, layer + ".bias"))},
                 c.op.name + "/" + layer);
}

onnx::NodeProto& transpose(OnnxGraph& g, const std::string& x, const std::vector<int64_t>& perm,
                           const std::string& hint) {
  onnx::NodeProto& n = g.node("Transpose", {x}, hint);
  setInts(n, "perm", perm);
  return n;
}

} // namespace

std::string exportEmbeddingToOnnx(OnnxOpContext& c) {
  auto& table = moduleOf<SequenceEmbeddingImpl>(c);
  const int64_t length = sequenceLength(c.op);
  OnnxGraph& g = c.graph;
  // Without a position table (alibi, imported models) the lookup is all.
  const bool positions = table.positionWeight.defined();
  const std::string tokens =
      g.apply("Gather", {g.weight(c.op.name + ".token_weight", table.tokenWeight), c.inputs.at(0)},
              positions ? c.op.name + "/tokens" : c.op.name);
  if (!positions) return tokens;
  return g.apply(
      "Add",
      {tokens, g.weight(c.op.name + ".position_weight", table.positionWeight.narrow(0, 0, length))},
      c.op.name);
}

std::string exportLayerNormToOnnx(OnnxOpContext& c) {
  auto& norm = moduleOf<torch::nn::LayerNormImpl>(c);
  OnnxGraph& g = c.graph;
  onnx::NodeProto& n = g.node("LayerNormalization",
                              {c.inputs.at(0), g.weight(c.op.name + ".weight", norm.weight),
                               g.weight(c.op.name + ".bias", norm.bias)},
                              c.op.name);
  setInt(n, "axis", -1);
  setFloat(n, "epsilon", static_cast<float>(norm.options.eps()));
  return OnnxGraph::out(n);
}

// softmax(q k^T / sqrt(d) + mask) v per head, then the output projection.
std::string exportCausalAttentionToOnnx(OnnxOpContext& c) {
  OnnxGraph& g = c.graph;
  const std::string& name = c.op.name;
  const int64_t length = sequenceLength(c.op), dim = c.op.shape[1];
  const int64_t heads = static_cast<int64_t>(plan::getNumber(c.op.attrs, "heads", 1));
  const int64_t headDim = dim / heads;
  const std::string qkv = projection(c, c.inputs.at(0), "qkv");
  const std::string split =
      g.apply("Reshape", {qkv, g.int64s(name + "/qkv_shape", {0, length, 3, heads, headDim})},
              name + "/qkv_heads");
  const std::string perHead = OnnxGraph::out(transpose(g, split, {2, 0, 3, 1, 4}, name + "/qkv_t"));
  std::string part[3];
  for (int64_t i = 0; i < 3; ++i)
    part[i] =
        g.apply("Gather", {perHead, g.int64Scalar(name + "/index", i)}, name + "/" + "qkv"[i]);
  const std::string keysT = OnnxGraph::out(transpose(g, part[1], {0, 1, 3, 2}, name + "/k_t"));
  const std::string product = g.apply("MatMul", {part[0], keysT}, name + "/scores_raw");
  const std::string scaled = g.apply(
      "Mul", {product, g.scalar(name + "/scale", static_cast<float>(1.0 / std::sqrt(headDim)))},
      name + "/scores_scaled");
  const torch::Tensor mask =
      torch::full({length, length}, -std::numeric_limits<float>::infinity()).triu(1);
  const std::string masked =
      g.apply("Add", {scaled, g.weight(name + ".causal_mask", mask)}, name + "/scores");
  onnx::NodeProto& softmax = g.node("Softmax", {masked}, name + "/weights");
  setInt(softmax, "axis", -1);
  const std::string mixed = g.apply("MatMul", {OnnxGraph::out(softmax), part[2]}, name + "/mixed");
  const std::string merged = OnnxGraph::out(transpose(g, mixed, {0, 2, 1, 3}, name + "/mixed_t"));
  const std::string flat = g.apply(
      "Reshape", {merged, g.int64s(name + "/merged_shape", {0, length, dim})}, name + "/merged");
  return projection(c, flat, "proj");
}

} // namespace fiver::runtime
