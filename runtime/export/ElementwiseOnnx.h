// Elementwise activations as ONNX nodes, shared by the op kinds that are one
// (gelu, silu) and by fused ops, whose expressions use them too.
#pragma once

#include "runtime/export/OnnxGraph.h"

#include <string>

namespace fiver::runtime {

// x * 0.5 * (1 + erf(x / sqrt 2)): LibTorch's exact gelu (ONNX has no Gelu
// operator before opset 20).
std::string geluOnnx(OnnxGraph& g, const std::string& x, const std::string& hint);
// x * sigmoid(x).
std::string siluOnnx(OnnxGraph& g, const std::string& x, const std::string& hint);

} // namespace fiver::runtime
