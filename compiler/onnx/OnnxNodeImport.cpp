#include "compiler/onnx/OnnxNodeImport.h"

namespace fiver::onnx_import {

const ImportValue* NodeImport::input(int i) const {
  if (i >= node.input_size() || node.input(i).empty()) return nullptr;
  auto it = values_.find(node.input(i));
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

int NodeImport::emit(std::string kind, plan::ScalarMap attrs, std::vector<int> inputs) {
  ops_.push_back(ImportedOp{std::move(kind), std::move(attrs), std::move(inputs), node.name()});
  ImportValue out;
  out.op = static_cast<int>(ops_.size()) - 1;
  define(0, out);
  return out.op;
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
