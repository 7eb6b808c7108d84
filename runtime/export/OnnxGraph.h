// Builds an ONNX graph (onnx::GraphProto) node by node: unique value names,
// attributes, and initializers from LibTorch tensors, always written as fp32
// in their logical (NCHW) layout whatever dtype or memory format they had.
#pragma once

#include <onnx/onnx_pb.h>
#include <torch/torch.h>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace fiver::runtime {

class OnnxGraph {
public:
  explicit OnnxGraph(onnx::GraphProto& graph) : graph_(graph) {}

  // A node of `opType` reading `inputs`, writing one new value named after
  // `hint`; returns the node so that attributes can be added.
  onnx::NodeProto& node(const std::string& opType, const std::vector<std::string>& inputs,
                        const std::string& hint);
  // The node's (first) output name.
  static const std::string& out(const onnx::NodeProto& n) { return n.output(0); }

  // Shorthand for a node whose output is all the caller needs.
  std::string apply(const std::string& opType, const std::vector<std::string>& inputs,
                    const std::string& hint) {
    return out(node(opType, inputs, hint));
  }

  // Initializers: a copy of `t` as fp32 (contiguous, NCHW), optionally
  // reshaped; int64 lists for shape and axes inputs; one fp32 scalar.
  std::string weight(const std::string& hint, const torch::Tensor& t,
                     const std::vector<int64_t>& shape = {});
  std::string int64s(const std::string& hint, const std::vector<int64_t>& values);
  std::string scalar(const std::string& hint, float value);
  std::string int64Scalar(const std::string& hint, int64_t value);

  // A name no value of the graph has yet, `hint` itself when free.
  std::string uniqueName(const std::string& hint);

  int64_t parameterCount() const { return parameters_; }

private:
  onnx::GraphProto& graph_;
  std::set<std::string> used_;
  int64_t parameters_ = 0;
};

// Attributes.
void setInt(onnx::NodeProto& n, const std::string& name, int64_t value);
void setInts(onnx::NodeProto& n, const std::string& name, const std::vector<int64_t>& values);
void setFloat(onnx::NodeProto& n, const std::string& name, float value);

// A value's type: fp32 or int64 with its dimensions, a dimension below zero
// being the symbolic batch dimension.
void setTensorType(onnx::ValueInfoProto& value, int32_t elementType,
                   const std::vector<int64_t>& dims);

} // namespace fiver::runtime
