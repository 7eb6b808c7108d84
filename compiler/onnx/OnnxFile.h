// Reading an ONNX file with the schema's generated parser: the model, a hash
// of the file's bytes (plans record it, so a changed file is noticed), and
// the graph's initializers under every name a node reads them by.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fiver::onnx_import {

struct OnnxFile {
  onnx::ModelProto model;
  std::string hash; // FNV-1a of the file's bytes, 16 hex digits
};

// Parses `bytes`; nullopt when they are not a well-formed ModelProto.
std::optional<OnnxFile> parseOnnx(std::string_view bytes);
// Reads and parses `path`; on failure, nullopt and why in `error`.
std::optional<OnnxFile> readOnnxFile(const std::string& path, std::string& error);

// The file's content hash without parsing it (the runtime checks it first).
std::optional<std::string> hashOfFile(const std::string& path);

// The default-domain opset the model imports (0 when it names none).
int64_t opsetOf(const onnx::ModelProto& model);

// Initializers by name; an Identity node whose input is an initializer gives
// it a second name (PyTorch's exporter shares equal tensors that way).
std::map<std::string, const onnx::TensorProto*> initializersByName(const onnx::GraphProto& graph);

// A tensor's elements as float / int64, whether stored raw or typed;
// nullopt for other element types or a size that does not match the dims.
std::optional<std::vector<float>> floatsOf(const onnx::TensorProto& t);
std::optional<std::vector<int64_t>> int64sOf(const onnx::TensorProto& t);
int64_t elementCount(const onnx::TensorProto& t);

} // namespace fiver::onnx_import
