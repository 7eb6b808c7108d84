#include "compiler/onnx/OnnxFile.h"

#include "compiler/support/Fnv.h"

#include <cstring>
#include <fstream>
#include <sstream>

namespace fiver::onnx_import {

namespace {

std::optional<std::string> readBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// Raw little-endian data (this machine's order) or the typed repeated field.
template <typename T, typename Field>
std::optional<std::vector<T>> elementsOf(const onnx::TensorProto& t, const Field& typed) {
  const int64_t n = elementCount(t);
  if (n < 0) return std::nullopt;
  std::vector<T> out;
  if (t.has_raw_data()) {
    const std::string& raw = t.raw_data();
    if (raw.size() != static_cast<size_t>(n) * sizeof(T)) return std::nullopt;
    out.resize(static_cast<size_t>(n));
    std::memcpy(out.data(), raw.data(), raw.size());
    return out;
  }
  if (typed.size() != n) return std::nullopt;
  out.assign(typed.begin(), typed.end());
  return out;
}

} // namespace

std::optional<OnnxFile> parseOnnx(std::string_view bytes) {
  OnnxFile file;
  if (bytes.size() > static_cast<size_t>(INT32_MAX) ||
      !file.model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return std::nullopt;
  file.hash = fnv1aHex(bytes);
  return file;
}

std::optional<OnnxFile> readOnnxFile(const std::string& path, std::string& error) {
  std::optional<std::string> bytes = readBytes(path);
  if (!bytes) {
    error = "cannot read '" + path + "'";
    return std::nullopt;
  }
  std::optional<OnnxFile> file = parseOnnx(*bytes);
  if (!file)
    error = "'" + path + "' is not an ONNX model: the file is truncated or malformed (" +
            std::to_string(bytes->size()) + " bytes)";
  else if (!file->model.has_graph())
    error = "'" + path + "' holds no graph";
  return file && file->model.has_graph() ? file : std::nullopt;
}

std::optional<std::string> hashOfFile(const std::string& path) {
  std::optional<std::string> bytes = readBytes(path);
  if (!bytes) return std::nullopt;
  return fnv1aHex(*bytes);
}

int64_t opsetOf(const onnx::ModelProto& model) {
  for (const onnx::OperatorSetIdProto& set : model.opset_import())
    if (set.domain().empty() || set.domain() == "ai.onnx") return set.version();
  return 0;
}

std::map<std::string, const onnx::TensorProto*> initializersByName(const onnx::GraphProto& graph) {
  std::map<std::string, const onnx::TensorProto*> byName;
  for (const onnx::TensorProto& t : graph.initializer())
    byName[t.name()] = &t;
  for (const onnx::NodeProto& node : graph.node()) {
    if (node.op_type() != "Identity" || node.input_size() != 1 || node.output_size() != 1) continue;
    auto source = byName.find(node.input(0));
    if (source != byName.end()) byName[node.output(0)] = source->second;
  }
  return byName;
}

int64_t elementCount(const onnx::TensorProto& t) {
  int64_t n = 1;
  for (int64_t d : t.dims()) {
    if (d < 0 || (d > 0 && n > INT64_MAX / d)) return -1;
    n *= d;
  }
  return n;
}

std::optional<std::vector<float>> floatsOf(const onnx::TensorProto& t) {
  if (t.data_type() != onnx::TensorProto::FLOAT) return std::nullopt;
  return elementsOf<float>(t, t.float_data());
}

std::optional<std::vector<int64_t>> int64sOf(const onnx::TensorProto& t) {
  if (t.data_type() != onnx::TensorProto::INT64) return std::nullopt;
  return elementsOf<int64_t>(t, t.int64_data());
}

} // namespace fiver::onnx_import
