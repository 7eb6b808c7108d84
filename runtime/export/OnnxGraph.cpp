#include "runtime/export/OnnxGraph.h"

#include <cstring>

namespace fiver::runtime {

std::string OnnxGraph::uniqueName(const std::string& hint) {
  const std::string base = hint.empty() ? "value" : hint;
  std::string name = base;
  for (int n = 1; used_.count(name); ++n)
    name = base + "_" + std::to_string(n);
  used_.insert(name);
  return name;
}

onnx::NodeProto& OnnxGraph::node(const std::string& opType, const std::vector<std::string>& inputs,
                                 const std::string& hint) {
  onnx::NodeProto& n = *graph_.add_node();
  n.set_op_type(opType);
  const std::string output = uniqueName(hint);
  n.set_name(output);
  for (const std::string& in : inputs)
    n.add_input(in);
  n.add_output(output);
  return n;
}

std::string OnnxGraph::weight(const std::string& hint, const torch::Tensor& t,
                              const std::vector<int64_t>& shape) {
  torch::Tensor values = t.detach().to(torch::kCPU, torch::kFloat32).contiguous();
  std::vector<int64_t> dims = shape.empty() ? values.sizes().vec() : shape;
  if (!shape.empty()) values = values.reshape(dims).contiguous();
  onnx::TensorProto& init = *graph_.add_initializer();
  const std::string name = uniqueName(hint);
  init.set_name(name);
  init.set_data_type(onnx::TensorProto::FLOAT);
  for (int64_t d : dims)
    init.add_dims(d);
  init.set_raw_data(values.data_ptr<float>(), static_cast<size_t>(values.numel()) * sizeof(float));
  parameters_ += values.numel();
  return name;
}

std::string OnnxGraph::int64s(const std::string& hint, const std::vector<int64_t>& values) {
  onnx::TensorProto& init = *graph_.add_initializer();
  const std::string name = uniqueName(hint);
  init.set_name(name);
  init.set_data_type(onnx::TensorProto::INT64);
  init.add_dims(static_cast<int64_t>(values.size()));
  for (int64_t v : values)
    init.add_int64_data(v);
  return name;
}

std::string OnnxGraph::scalar(const std::string& hint, float value) {
  onnx::TensorProto& init = *graph_.add_initializer();
  const std::string name = uniqueName(hint);
  init.set_name(name);
  init.set_data_type(onnx::TensorProto::FLOAT);
  init.add_float_data(value);
  return name;
}

std::string OnnxGraph::int64Scalar(const std::string& hint, int64_t value) {
  onnx::TensorProto& init = *graph_.add_initializer();
  const std::string name = uniqueName(hint);
  init.set_name(name);
  init.set_data_type(onnx::TensorProto::INT64);
  init.add_int64_data(value);
  return name;
}

void setInt(onnx::NodeProto& n, const std::string& name, int64_t value) {
  onnx::AttributeProto& a = *n.add_attribute();
  a.set_name(name);
  a.set_type(onnx::AttributeProto::INT);
  a.set_i(value);
}

void setInts(onnx::NodeProto& n, const std::string& name, const std::vector<int64_t>& values) {
  onnx::AttributeProto& a = *n.add_attribute();
  a.set_name(name);
  a.set_type(onnx::AttributeProto::INTS);
  for (int64_t v : values)
    a.add_ints(v);
}

void setFloat(onnx::NodeProto& n, const std::string& name, float value) {
  onnx::AttributeProto& a = *n.add_attribute();
  a.set_name(name);
  a.set_type(onnx::AttributeProto::FLOAT);
  a.set_f(value);
}

void setTensorType(onnx::ValueInfoProto& value, int32_t elementType,
                   const std::vector<int64_t>& dims) {
  onnx::TypeProto_Tensor& tensor = *value.mutable_type()->mutable_tensor_type();
  tensor.set_elem_type(elementType);
  onnx::TensorShapeProto& shape = *tensor.mutable_shape();
  for (int64_t d : dims) {
    onnx::TensorShapeProto_Dimension& dim = *shape.add_dim();
    if (d < 0)
      dim.set_dim_param("batch");
    else
      dim.set_dim_value(d);
  }
}

} // namespace fiver::runtime
