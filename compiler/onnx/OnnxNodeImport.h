// The importer's view of one ONNX node while it is mapped to training-graph
// ops: its inputs as values (an op's output, an initializer, or a constant
// folded at import), its attributes by name, and where its outputs go.
// Internal to compiler/onnx.
#pragma once

#include "compiler/onnx/ImportLayout.h"
#include "compiler/onnx/OnnxImport.h"

#include <onnx/onnx_pb.h>

#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace fiver::onnx_import {

// A tensor known at import time: shape arithmetic and small constants.
// Shape arithmetic keeps the batch symbolic: a value of `batch` is
// `values[i]` times the batch size (Shape of a computed tensor, and what is
// computed from it).
struct ConstTensor {
  std::vector<int64_t> dims;
  std::vector<double> values; // row-major
  bool integer = false;
  std::vector<bool> batch; // per value; empty when none is
  bool isBatch(size_t i) const { return i < batch.size() && batch[i]; }
  // Value `i` as an index or size. Saturates: slices end at INT64_MAX ("to
  // the end"), which a double rounds to 2^63, out of int64_t's range.
  int64_t index(size_t i) const {
    const double v = values[i];
    if (!(v > -9.2e18)) return std::numeric_limits<int64_t>::min();
    if (v >= 9.2e18) return std::numeric_limits<int64_t>::max();
    return static_cast<int64_t>(v);
  }
  std::vector<int64_t> indices() const {
    std::vector<int64_t> out;
    for (size_t i = 0; i < values.size(); ++i)
      out.push_back(index(i));
    return out;
  }
};

// A value of the ONNX graph.
struct ImportValue {
  int op = -1; // the op that computes it (-1: not computed by an op)
  // Its shape without the batch dimension, where the importer knows it.
  std::vector<int64_t> shape;
  std::string initializer;                 // a parameter, by the name nodes read it by
  const onnx::TensorProto* data = nullptr; // the initializer's tensor
  std::optional<ConstTensor> constant;     // a value folded at import
  // A computed value's ONNX axes (ImportLayout.h); empty where its shape is
  // unknown (a model input of dynamic size).
  Layout layout;
  bool transposed = false; // an initializer read through a 2-D Transpose
  // An initializer of which only the first `rows` rows are read (a position
  // table gathered for a shorter sequence); -1: all of it.
  int64_t rows = -1;
  // Where a Slice reads a block of an initializer's rows (the query and the
  // key-value parts of nn.MultiheadAttention's packed projection), the block
  // starts at row `rowStart` and has shape[0] rows; `initializer` then names
  // it "name[start:end]", which the run's weight loader reads back.
  int64_t rowStart = 0;
  bool rowBlock = false;

  bool isOp() const { return op >= 0; }
  bool isInitializer() const { return data != nullptr; }
};

class NodeImport {
public:
  NodeImport(const onnx::NodeProto& node, int64_t opset, std::map<std::string, ImportValue>& values,
             std::vector<ImportedOp>& ops, const std::map<std::string, int>& readers)
      : node(node), opset(opset), values_(values), ops_(ops), readers_(readers) {}

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

  // Appends `op` reading `inputs`; output 0 of the node becomes its result,
  // batch first. Returns the op's index.
  int emit(std::string kind, plan::ScalarMap attrs, std::vector<int> inputs);
  // The same, its result laid out as `layout` (its shape must match).
  int emit(std::string kind, plan::ScalarMap attrs, std::vector<int> inputs, Layout layout);
  // The ops emitted so far (folding a bias into the linear before it).
  std::vector<ImportedOp>& ops() { return ops_; }
  // How many nodes read the value `name` (the graph output counts once).
  int readersOf(const std::string& name) const;
  // Output `i` of the node is `value` (pass-through or a folded constant).
  void define(int output, ImportValue value);
  // Any value of the graph by name (nullptr when not defined yet), and
  // defining one (a pattern's output, which a later node writes).
  const ImportValue* value(const std::string& name) const;
  void defineNamed(const std::string& name, ImportValue value) { values_[name] = std::move(value); }

  // Problems: the node named, as every message does.
  ImportProblem unsupported(const std::string& why) const;
  ImportProblem problem(DiagId id, const std::string& why) const;
  std::string who() const;

private:
  const onnx::AttributeProto* attr(const std::string& name) const;
  int emit(Layout layout); // defines output 0 as the last op's result
  std::map<std::string, ImportValue>& values_;
  std::vector<ImportedOp>& ops_;
  const std::map<std::string, int>& readers_;
};

// An op's result: nullopt when the node was imported, the problem otherwise.
using NodeResult = std::optional<ImportProblem>;
using NodeImporter = NodeResult (*)(NodeImport&);

// Ops folded at import (ConstantOps.cpp): constants, and shape arithmetic
// on them. Each folds when every input is known at import.
NodeResult importConstant(NodeImport& n);
bool allInputsConstant(const NodeImport& n);
// Input `i` as a constant (a folded value or an initializer), or nullopt.
std::optional<ConstTensor> constantInput(const NodeImport& n, int i);
NodeResult foldShape(NodeImport& n);
NodeResult foldGather(NodeImport& n);
NodeResult foldUnsqueeze(NodeImport& n);
NodeResult foldSqueeze(NodeImport& n);
NodeResult foldConcat(NodeImport& n);
NodeResult foldSlice(NodeImport& n);
NodeResult foldCast(NodeImport& n);
NodeResult foldArithmetic(NodeImport& n); // Add, Sub, Mul, Div, Equal
NodeResult foldWhere(NodeImport& n);
NodeResult foldConstantOfShape(NodeImport& n);
NodeResult foldReshape(NodeImport& n);
NodeResult foldRange(NodeImport& n);

// Ops on computed tensors of imported transformers (TensorOps.cpp).
NodeResult importReshape(NodeImport& n);
NodeResult importTranspose(NodeImport& n);
NodeResult importMatMul(NodeImport& n);
NodeResult importSoftmax(NodeImport& n);
NodeResult importConcat(NodeImport& n);
NodeResult importSlice(NodeImport& n);
NodeResult importGather(NodeImport& n);
NodeResult importExpand(NodeImport& n);
NodeResult importLayerNorm(NodeImport& n);
NodeResult importWhere(NodeImport& n);
// Add, Sub, Mul, Div with a constant or an initializer operand; nullopt
// in `handled` when both operands are computed.
NodeResult importArithmeticWithConstant(NodeImport& n, bool& handled);
// A tensor's values as a constant; nullopt for element types other than
// float and int64.
std::optional<ConstTensor> constantOf(const onnx::TensorProto& t);

// The importer of an op type (nullptr when unsupported).
NodeImporter importerFor(const std::string& opType);
std::vector<std::string> importedOpTypes();

} // namespace fiver::onnx_import
