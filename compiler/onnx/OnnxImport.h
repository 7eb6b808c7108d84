// Imports an ONNX model into training-graph ops (ImportedModel.h): reads the
// file with the schema's parser, folds constant and shape subgraphs, and maps
// each remaining node through one table (OnnxOps.cpp). What cannot be
// imported is a problem with a diagnostic code, never a crash.
#pragma once

#include "compiler/diag/Diagnostic.h"
#include "compiler/onnx/ImportedModel.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fiver::onnx_import {

struct ImportProblem {
  DiagId id = DiagId::OnnxUnreadable;
  std::string message;
};

struct ImportResult {
  std::optional<ImportedModel> model;
  ImportProblem problem; // when there is no model
};

ImportResult importOnnxFile(const std::string& path);
// The same from bytes already in memory (`name` stands for the file in messages).
ImportResult importOnnxBytes(std::string_view bytes, const std::string& name);

// The ONNX op types the table maps, sorted (messages and docs list them).
std::vector<std::string> supportedOps();

} // namespace fiver::onnx_import
