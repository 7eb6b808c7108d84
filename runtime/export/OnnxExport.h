// A plan's model, with the weights it holds now, as an ONNX model: opset 17,
// fp32 weights in NCHW whatever the run computed in, a symbolic batch
// dimension, one input `input` and one output `logits`. The result passes
// onnx::checker before it is written; it is written atomically.
#pragma once

#include "compiler/plan/Plan.h"
#include "runtime/model/PlanModel.h"

#include <onnx/onnx_pb.h>

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace fiver::runtime {

inline constexpr int64_t kOnnxOpset = 17;

struct OnnxExportError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct OnnxExportOptions {
  // Convs whose batch norm the model runs folded in (layer_freezing's frozen
  // ones) are exported folded: one Conv instead of Conv and BatchNormalization.
  bool foldBatchNorm = false;
  // Written into the model's metadata (recipe, step, which weights).
  std::map<std::string, std::string> metadata;
};

struct OnnxExport {
  onnx::ModelProto model;
  std::vector<std::string> foldedConvs;
  // Layers whose low-rank adapter was folded into their weight (lora).
  int64_t foldedAdapters = 0;
  int64_t initializerValues = 0;
};

// Throws OnnxExportError naming the op that cannot be exported.
OnnxExport exportToOnnx(const plan::Plan& plan, PlanModelImpl& model,
                        const OnnxExportOptions& options);
// onnx::checker::check_model; its complaint as an OnnxExportError.
void checkOnnxModel(const onnx::ModelProto& model);
// Through a temporary file and a rename; throws OnnxExportError.
void writeOnnxModel(const onnx::ModelProto& model, const std::string& path);

} // namespace fiver::runtime
