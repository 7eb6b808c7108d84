#include "compiler/onnx/NodePatterns.h"

#include "compiler/onnx/OnnxFile.h"

#include <cmath>
#include <map>
#include <optional>

namespace fiver::onnx_import {

namespace {

using plan::Scalar;

// The graph's nodes as a pattern walks them: who reads a value.
class NodeWalk {
public:
  NodeWalk(const onnx::GraphProto& graph, const NodeImport& n) : graph_(graph), n_(n) {
    for (int i = 0; i < graph.node_size(); ++i) {
      for (const std::string& in : graph.node(i).input())
        readers_[in].push_back(i);
      for (const std::string& out : graph.node(i).output())
        producers_[out] = i;
    }
  }

  // The node of `opType` computing `value`, when `value` has one reader.
  const onnx::NodeProto* soleProducer(const std::string& value, const char* opType) {
    auto it = producers_.find(value);
    if (it == producers_.end() || readerCount(value) != 1 || n_.readersOf(value) != 1)
      return nullptr;
    const onnx::NodeProto& node = graph_.node(it->second);
    if (node.op_type() != opType) return nullptr;
    covered.insert(it->second);
    return &node;
  }

  // The one node reading `value`, when it is of `opType`; nullptr otherwise.
  const onnx::NodeProto* soleReader(const std::string& value, const char* opType) {
    auto it = readers_.find(value);
    if (it == readers_.end() || it->second.size() != 1 || n_.readersOf(value) != 1) return nullptr;
    const onnx::NodeProto& node = graph_.node(it->second[0]);
    if (node.op_type() != opType) return nullptr;
    covered.insert(it->second[0]);
    return &node;
  }
  // The reader of `value` of `opType` among several.
  const onnx::NodeProto* readerOfType(const std::string& value, const char* opType) {
    for (int i : readers_[value])
      if (graph_.node(i).op_type() == opType) {
        covered.insert(i);
        return &graph_.node(i);
      }
    return nullptr;
  }
  size_t readerCount(const std::string& value) const {
    auto it = readers_.find(value);
    return it == readers_.end() ? 0 : it->second.size();
  }

  // A node's operand other than `value`, as a scalar constant.
  std::optional<double> otherScalar(const onnx::NodeProto& node, const std::string& value) const {
    if (node.input_size() != 2) return std::nullopt;
    const std::string& other = node.input(node.input(0) == value ? 1 : 0);
    const ImportValue* v = n_.value(other);
    if (!v) return laterConstant(other);
    if (v->constant && v->constant->values.size() == 1 && !v->constant->isBatch(0))
      return v->constant->values[0];
    if (v->isInitializer())
      if (std::optional<std::vector<float>> f = floatsOf(*v->data); f && f->size() == 1)
        return (*f)[0];
    return std::nullopt;
  }
  // A node's operand other than `value`, as a 1-D initializer of `size`.
  const ImportValue* otherVector(const onnx::NodeProto& node, const std::string& value,
                                 int64_t size) const {
    if (node.input_size() != 2) return nullptr;
    const ImportValue* v = n_.value(node.input(node.input(0) == value ? 1 : 0));
    if (!v || !v->isInitializer() || v->transposed || v->shape != std::vector<int64_t>{size})
      return nullptr;
    return v;
  }

  std::set<int> covered;

private:
  // A Constant node that comes after the pattern's first node (exporters
  // write constants where they are first used).
  std::optional<double> laterConstant(const std::string& value) const {
    auto it = producers_.find(value);
    if (it == producers_.end()) return std::nullopt;
    const onnx::NodeProto& node = graph_.node(it->second);
    if (node.op_type() != "Constant") return std::nullopt;
    for (const onnx::AttributeProto& a : node.attribute()) {
      if (a.name() == "value_float") return a.f();
      if (a.name() != "value" || !a.has_t()) continue;
      std::optional<ConstTensor> c = constantOf(a.t());
      if (c && c->values.size() == 1) return c->values[0];
    }
    return std::nullopt;
  }

  const onnx::GraphProto& graph_;
  const NodeImport& n_;
  std::map<std::string, std::vector<int>> readers_;
  std::map<std::string, int> producers_;
};

bool near(std::optional<double> v, double want) {
  return v && std::abs(*v - want) <= 1e-6 * std::max(1.0, std::abs(want));
}

// The computed value node `first` reads as its first input.
const ImportValue* computedInput(const NodeImport& n) {
  const ImportValue* x = n.input(0);
  return x && x->isOp() && !x->layout.empty() ? x : nullptr;
}

// Div(x, sqrt 2) -> Erf -> Add 1 -> Mul x -> Mul 0.5 (PyTorch's export),
// or -> Mul (x * 0.5) (FiveR's).
bool importGelu(const onnx::GraphProto& graph, NodeImport& n, std::set<int>& covered) {
  const ImportValue* x = computedInput(n);
  if (!x) return false;
  NodeWalk walk(graph, n);
  const std::string& xName = n.node.input(0);
  if (!near(walk.otherScalar(n.node, xName), std::sqrt(2.0))) return false;
  const onnx::NodeProto* erf = walk.soleReader(n.node.output(0), "Erf");
  const onnx::NodeProto* plusOne = erf ? walk.soleReader(erf->output(0), "Add") : nullptr;
  if (!plusOne || !near(walk.otherScalar(*plusOne, erf->output(0)), 1)) return false;
  const onnx::NodeProto* times = walk.soleReader(plusOne->output(0), "Mul");
  if (!times || times->input_size() != 2) return false;
  const std::string& other = times->input(times->input(0) == plusOne->output(0) ? 1 : 0);
  std::string out = times->output(0);
  if (other == xName) {
    const onnx::NodeProto* half = walk.soleReader(times->output(0), "Mul");
    if (!half || !near(walk.otherScalar(*half, times->output(0)), 0.5)) return false;
    out = half->output(0);
  } else {
    const onnx::NodeProto* halfX = walk.soleProducer(other, "Mul");
    if (!halfX || halfX->input_size() != 2 ||
        (halfX->input(0) != xName && halfX->input(1) != xName) ||
        !near(walk.otherScalar(*halfX, xName), 0.5))
      return false;
  }
  n.emit("gelu", {}, {x->op}, x->layout);
  n.defineNamed(out, *n.value(n.node.output(0)));
  covered.insert(walk.covered.begin(), walk.covered.end());
  return true;
}

// Whether a ReduceMean node averages the last axis, keeping it.
bool meanOfLastAxis(const NodeImport& n, const onnx::NodeProto& node) {
  int64_t keep = 1;
  std::vector<int64_t> axes;
  for (const onnx::AttributeProto& a : node.attribute()) {
    if (a.name() == "keepdims") keep = a.i();
    if (a.name() == "axes") axes.assign(a.ints().begin(), a.ints().end());
  }
  (void)n;
  return keep == 1 && axes.size() == 1 && axes[0] == -1;
}

// ReduceMean -> Sub -> Pow 2 -> ReduceMean -> Add eps -> Sqrt -> Div ->
// Mul weight -> Add bias, over the last axis.
bool importDecomposedLayerNorm(const onnx::GraphProto& graph, NodeImport& n,
                               std::set<int>& covered) {
  const ImportValue* x = computedInput(n);
  if (!x || !meanOfLastAxis(n, n.node)) return false;
  const std::optional<int64_t> axis = runtimeAxis(x->layout, -1);
  if (!axis || x->shape.empty()) return false;
  const int64_t features = x->shape.back();
  NodeWalk walk(graph, n);
  const std::string& xName = n.node.input(0);
  const onnx::NodeProto* centre = walk.soleReader(n.node.output(0), "Sub");
  if (!centre || centre->input(0) != xName) return false;
  const std::string& centred = centre->output(0);
  if (walk.readerCount(centred) != 2) return false;
  const onnx::NodeProto* square = walk.readerOfType(centred, "Pow");
  if (!square || !near(walk.otherScalar(*square, centred), 2)) return false;
  const onnx::NodeProto* variance = walk.soleReader(square->output(0), "ReduceMean");
  if (!variance || !meanOfLastAxis(n, *variance)) return false;
  const onnx::NodeProto* plusEps = walk.soleReader(variance->output(0), "Add");
  const std::optional<double> eps =
      plusEps ? walk.otherScalar(*plusEps, variance->output(0)) : std::nullopt;
  const onnx::NodeProto* root = eps ? walk.soleReader(plusEps->output(0), "Sqrt") : nullptr;
  const onnx::NodeProto* divide = root ? walk.soleReader(root->output(0), "Div") : nullptr;
  if (!divide || divide->input(0) != centred) return false;
  const onnx::NodeProto* scale = walk.soleReader(divide->output(0), "Mul");
  const ImportValue* weight =
      scale ? walk.otherVector(*scale, divide->output(0), features) : nullptr;
  const onnx::NodeProto* shift = weight ? walk.soleReader(scale->output(0), "Add") : nullptr;
  const ImportValue* bias = shift ? walk.otherVector(*shift, scale->output(0), features) : nullptr;
  if (!bias) return false;
  char text[32];
  std::snprintf(text, sizeof text, "%.7g", *eps);
  n.emit("layernorm",
         {{"features", Scalar::num(static_cast<double>(features))},
          {"eps", Scalar::num(std::strtod(text, nullptr))},
          {"init_weight", Scalar::str(weight->initializer)},
          {"init_bias", Scalar::str(bias->initializer)}},
         {x->op}, x->layout);
  n.defineNamed(shift->output(0), *n.value(n.node.output(0)));
  covered.insert(walk.covered.begin(), walk.covered.end());
  return true;
}

} // namespace

bool importPattern(const onnx::GraphProto& graph, int first, NodeImport& n,
                   std::set<int>& covered) {
  (void)first;
  if (n.node.op_type() == "Div") return importGelu(graph, n, covered);
  if (n.node.op_type() == "ReduceMean") return importDecomposedLayerNorm(graph, n, covered);
  return false;
}

} // namespace fiver::onnx_import
