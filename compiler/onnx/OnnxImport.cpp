#include "compiler/onnx/OnnxImport.h"

#include "compiler/onnx/ImportPeepholes.h"
#include "compiler/onnx/NodePatterns.h"
#include "compiler/onnx/OnnxFile.h"
#include "compiler/onnx/OnnxNodeImport.h"

#include <algorithm>
#include <set>

#include <filesystem>
#include <map>

namespace fiver::onnx_import {

namespace {

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names)
    out += (out.empty() ? "" : ", ") + n;
  return out;
}

ImportResult failed(DiagId id, std::string message) {
  return ImportResult{std::nullopt, ImportProblem{id, std::move(message)}};
}

// The one graph input that is not an initializer: the batch of images.
std::optional<ImportProblem> readInput(const onnx::GraphProto& graph,
                                       const std::map<std::string, const onnx::TensorProto*>& inits,
                                       ImportedModel& model, std::string& inputName) {
  std::vector<const onnx::ValueInfoProto*> inputs;
  for (const onnx::ValueInfoProto& in : graph.input())
    if (!inits.count(in.name())) inputs.push_back(&in);
  if (inputs.size() != 1)
    return ImportProblem{DiagId::OnnxInputMismatch,
                         "the graph has " + std::to_string(inputs.size()) +
                             " inputs besides its initializers; FiveR imports models with one"};
  const onnx::ValueInfoProto& in = *inputs.front();
  inputName = in.name();
  const int32_t type = in.type().has_tensor_type() ? in.type().tensor_type().elem_type() : 0;
  model.tokens = type == onnx::TensorProto::INT64; // token ids of a text model
  if ((type != onnx::TensorProto::FLOAT && !model.tokens) || !in.type().tensor_type().has_shape())
    return ImportProblem{DiagId::OnnxInputMismatch,
                         "the graph input '" + in.name() +
                             "' is neither a float tensor nor int64 token ids of known rank"};
  const auto& dims = in.type().tensor_type().shape().dim();
  for (int i = 1; i < dims.size(); ++i)
    model.inputShape.push_back(dims[i].has_dim_value() ? dims[i].dim_value() : -1);
  if (dims.empty())
    return ImportProblem{DiagId::OnnxInputMismatch,
                         "the graph input '" + in.name() + "' is a scalar, not a batch"};
  return std::nullopt;
}

// How many nodes read each value; the graph's output counts as a reader.
std::map<std::string, int> readersOfValues(const onnx::GraphProto& graph) {
  std::map<std::string, int> readers;
  for (const onnx::NodeProto& node : graph.node())
    for (const std::string& in : node.input())
      ++readers[in];
  for (const onnx::ValueInfoProto& out : graph.output())
    ++readers[out.name()];
  return readers;
}

std::optional<ImportProblem> importNodes(const onnx::GraphProto& graph, int64_t opset,
                                         std::map<std::string, ImportValue>& values,
                                         std::vector<ImportedOp>& ops) {
  const std::map<std::string, int> readers = readersOfValues(graph);
  // Every op FiveR imports computes something: importers and patterns read a
  // node's first output (and walk from it to its readers) without asking.
  for (const onnx::NodeProto& node : graph.node())
    if (node.output_size() == 0 || node.output(0).empty())
      return NodeImport(node, opset, values, ops, readers)
          .unsupported("the node has no output; every op FiveR imports has one");
  std::set<int> covered; // nodes a pattern already imported
  for (int i = 0; i < graph.node_size(); ++i) {
    const onnx::NodeProto& node = graph.node(i);
    if (covered.count(i)) continue;
    NodeImport ni(node, opset, values, ops, readers);
    if (!node.domain().empty() && node.domain() != "ai.onnx")
      return ni.unsupported("ops of the domain '" + node.domain() + "' are not imported");
    if (importPattern(graph, i, ni, covered)) continue;
    NodeImporter importer = importerFor(node.op_type());
    if (!importer)
      return ni.unsupported("FiveR cannot import this op; it imports " + joined(importedOpTypes()));
    if (NodeResult problem = importer(ni)) return problem;
  }
  return std::nullopt;
}

// The graph's one output must be the last op's result.
std::optional<ImportProblem> checkOutput(const onnx::GraphProto& graph,
                                         const std::map<std::string, ImportValue>& values,
                                         const std::vector<ImportedOp>& ops) {
  if (graph.output_size() != 1)
    return ImportProblem{DiagId::OnnxUnsupportedOp, "the graph has " +
                                                        std::to_string(graph.output_size()) +
                                                        " outputs; FiveR imports models with one"};
  auto out = values.find(graph.output(0).name());
  if (out == values.end() || !out->second.isOp() || ops.size() < 2)
    return ImportProblem{DiagId::OnnxUnsupportedOp,
                         "the graph output '" + graph.output(0).name() + "' is not computed"};
  if (out->second.op != static_cast<int>(ops.size()) - 1)
    return ImportProblem{DiagId::OnnxUnsupportedOp, "the graph output '" + graph.output(0).name() +
                                                        "' is not the result of its last node"};
  if (!out->second.layout.empty() && !isBatchFirst(out->second.layout))
    return ImportProblem{DiagId::OnnxUnsupportedOp,
                         "the graph output '" + graph.output(0).name() +
                             "' does not keep the batch as its first axis"};
  return std::nullopt;
}

ImportResult importParsed(const OnnxFile& file, const std::string& name) {
  const onnx::GraphProto& graph = file.model.graph();
  ImportedModel model;
  model.path = name;
  model.hash = file.hash;
  model.opset = opsetOf(file.model);
  const auto inits = initializersByName(graph);
  std::string inputName;
  if (auto problem = readInput(graph, inits, model, inputName))
    return ImportResult{std::nullopt, *problem};
  std::map<std::string, ImportValue> values;
  for (const auto& [initName, tensor] : inits) {
    ImportValue v;
    v.initializer = initName;
    v.data = tensor;
    v.shape.assign(tensor->dims().begin(), tensor->dims().end());
    values[initName] = v;
  }
  model.ops.push_back(ImportedOp{"input", {}, {}, inputName, model.inputShape});
  ImportValue input{0, model.inputShape, {}, nullptr, std::nullopt, {}, false};
  if (std::all_of(model.inputShape.begin(), model.inputShape.end(),
                  [](int64_t d) { return d > 0; }))
    input.layout = batchFirst(model.inputShape);
  else
    model.ops.back().shape.clear();
  values[inputName] = input;
  if (auto problem = importNodes(graph, model.opset, values, model.ops))
    return ImportResult{std::nullopt, *problem};
  if (auto problem = checkOutput(graph, values, model.ops))
    return ImportResult{std::nullopt, *problem};
  fuseSilu(model.ops);
  return ImportResult{std::move(model), {}};
}

} // namespace

ImportResult importOnnxFile(const std::string& path) {
  std::string error;
  std::optional<OnnxFile> file = readOnnxFile(path, error);
  if (!file) return failed(DiagId::OnnxUnreadable, error);
  std::error_code ec;
  std::filesystem::path absolute = std::filesystem::absolute(path, ec);
  return importParsed(*file, ec ? path : absolute.lexically_normal().string());
}

ImportResult importOnnxBytes(std::string_view bytes, const std::string& name) {
  std::optional<OnnxFile> file = parseOnnx(bytes);
  if (!file || !file->model.has_graph())
    return failed(DiagId::OnnxUnreadable,
                  "'" + name + "' is not an ONNX model: the file is truncated or malformed");
  return importParsed(*file, name);
}

std::vector<std::string> supportedOps() {
  return importedOpTypes();
}

} // namespace fiver::onnx_import
