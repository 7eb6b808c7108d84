#include "compiler/onnx/OnnxNodeImport.h"

#include "compiler/plan/OpRules.h"

#include <algorithm>

namespace fiver::onnx_import {

const ImportValue* NodeImport::input(int i) const {
  if (i >= node.input_size() || node.input(i).empty()) return nullptr;
  auto it = values_.find(node.input(i));
  return it == values_.end() ? nullptr : &it->second;
}

const ImportValue* NodeImport::value(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? nullptr : &it->second;
}

const onnx::AttributeProto* NodeImport::attr(const std::string& name) const {
  for (const onnx::AttributeProto& a : node.attribute())
    if (a.name() == name) return &a;
  return nullptr;
}

int64_t NodeImport::intAttr(const std::string& name, int64_t fallback) const {
  const onnx::AttributeProto* a = attr(name);
  return a && a->has_i() ? a->i() : fallback;
}

double NodeImport::floatAttr(const std::string& name, double fallback) const {
  const onnx::AttributeProto* a = attr(name);
  return a && a->has_f() ? a->f() : fallback;
}

std::vector<int64_t> NodeImport::intsAttr(const std::string& name) const {
  const onnx::AttributeProto* a = attr(name);
  if (!a) return {};
  return {a->ints().begin(), a->ints().end()};
}

std::string NodeImport::stringAttr(const std::string& name, const std::string& fallback) const {
  const onnx::AttributeProto* a = attr(name);
  return a && a->has_s() ? a->s() : fallback;
}

const onnx::TensorProto* NodeImport::tensorAttr(const std::string& name) const {
  const onnx::AttributeProto* a = attr(name);
  return a && a->has_t() ? &a->t() : nullptr;
}

namespace {

// The op's shape from its kind's rule, when every input's shape is known
// (empty otherwise, or when the rule rejects them: the graph builder
// reports that with the task's input).
std::vector<int64_t> inferShape(const ImportedOp& op, const std::vector<ImportedOp>& ops) {
  std::optional<plan::OpKind> kind = plan::opKindFromName(op.kind);
  if (!kind) return {};
  std::vector<std::vector<int64_t>> inputs;
  for (int in : op.inputs) {
    const std::vector<int64_t>& shape = ops[static_cast<size_t>(in)].shape;
    if (shape.empty() || std::any_of(shape.begin(), shape.end(), [](int64_t d) { return d <= 0; }))
      return {};
    inputs.push_back(shape);
  }
  if (inputs.empty()) return {};
  std::vector<int64_t> shape;
  if (!plan::info(*kind).shape(plan::ShapeQuery{op.kind, op.attrs, inputs}, shape).empty())
    return {};
  return shape;
}

} // namespace

int NodeImport::emit(std::string kind, plan::ScalarMap attrs, std::vector<int> inputs) {
  ImportedOp op{std::move(kind), std::move(attrs), std::move(inputs), node.name(), {}};
  op.shape = inferShape(op, ops_);
  Layout layout = op.shape.empty() ? Layout{} : batchFirst(op.shape);
  ops_.push_back(std::move(op));
  return emit(std::move(layout));
}

int NodeImport::emit(std::string kind, plan::ScalarMap attrs, std::vector<int> inputs,
                     Layout layout) {
  ImportedOp op{std::move(kind), std::move(attrs), std::move(inputs), node.name(), {}};
  op.shape = inferShape(op, ops_);
  if (op.shape.empty() || op.shape != runtimeShape(layout)) layout.clear();
  ops_.push_back(std::move(op));
  return emit(std::move(layout));
}

int NodeImport::emit(Layout layout) {
  ImportValue out;
  out.op = static_cast<int>(ops_.size()) - 1;
  out.shape = ops_.back().shape;
  out.layout = std::move(layout);
  define(0, out);
  return out.op;
}

int NodeImport::readersOf(const std::string& name) const {
  auto it = readers_.find(name);
  return it == readers_.end() ? 0 : it->second;
}

void NodeImport::define(int output, ImportValue value) {
  if (output < node.output_size() && !node.output(output).empty())
    values_[node.output(output)] = std::move(value);
}

std::string NodeImport::who() const {
  const std::string name =
      node.name().empty() ? node.output_size() ? node.output(0) : "?" : node.name();
  return "node '" + name + "' (" + node.op_type() + ", opset " + std::to_string(opset) + ")";
}

ImportProblem NodeImport::unsupported(const std::string& why) const {
  return problem(DiagId::OnnxUnsupportedOp, why);
}

ImportProblem NodeImport::problem(DiagId id, const std::string& why) const {
  return ImportProblem{id, who() + ": " + why};
}

} // namespace fiver::onnx_import
