// The importer's view of one ONNX node while it is mapped to training-graph
// ops: its inputs as values (an op's output, an initializer, or a constant
// folded at import), its attributes by name, and where its outputs go.
// Internal to compiler/onnx.
#pragma once

#include "compiler/onnx/OnnxImport.h"

#include <onnx/onnx_pb.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace fiver::onnx_import {

// A tensor known at import time: shape arithmetic and small constants.
struct ConstTensor {
  std::vector<int64_t> dims;
  std::vector<double> values; // row-major
  bool integer = false;
};

// A value of the ONNX graph.
struct ImportValue {
  int op = -1; // the op that computes it (-1: not computed by an op)
  // Its shape without the batch dimension, where the importer knows it.
  std::vector<int64_t> shape;
  std::string initializer;                 // a parameter, by the name nodes read it by
  const onnx::TensorProto* data = nullptr; // the initializer's tensor
  std::optional<ConstTensor> constant;     // a value folded at import

  bool isOp() const { return op >= 0; }
  bool isInitializer() const { return data != nullptr; }
};

class NodeImport {
public:
  NodeImport(const onnx::NodeProto& node, int64_t opset, std::map<std::string, ImportValue>& values,
             std::vector<ImportedOp>& ops)
      : node(node), opset(opset), values_(values), ops_(ops) {}

  const onnx::NodeProto& node;
  const int64_t opset;

  // Input `i`, or nullptr when the node leaves it out.
  const ImportValue* input(int i) const;
  int inputCount() const { return node.input_size(); }

  int64_t intAttr(const std::string& name, int64_t fallback) const;
  double floatAttr(const std::string& name, double fallback) const;
  std::vector<int64_t> intsAttr(const std::string& name) const;
  std::string stringAttr(const std::string& name, const std::string& fallback) const;
  const onnx::TensorProto* tensorAttr(const std::string& name) const;

  // Appends `op` reading `inputs`; output 0 of the node becomes its result.
  // Returns the op's index.
  int emit(std::string kind, plan::ScalarMap attrs, std::vector<int> inputs);
  // Output `i` of the node is `value` (pass-through or a folded constant).
  void define(int output, ImportValue value);

  // Problems: the node named, as every message does.
  ImportProblem unsupported(const std::string& why) const;
  ImportProblem problem(DiagId id, const std::string& why) const;
  std::string who() const;

private:
  const onnx::AttributeProto* attr(const std::string& name) const;
  std::map<std::string, ImportValue>& values_;
  std::vector<ImportedOp>& ops_;
};

// An op's result: nullopt when the node was imported, the problem otherwise.
using NodeResult = std::optional<ImportProblem>;
using NodeImporter = NodeResult (*)(NodeImport&);

// Ops folded at import (ConstantOps.cpp).
NodeResult importConstant(NodeImport& n);
// A tensor's values as a constant; nullopt for element types other than
// float and int64.
std::optional<ConstTensor> constantOf(const onnx::TensorProto& t);

// The importer of an op type (nullptr when unsupported).
NodeImporter importerFor(const std::string& opType);
std::vector<std::string> importedOpTypes();

} // namespace fiver::onnx_import
