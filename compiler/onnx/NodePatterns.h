// Node sequences that exporters write for one PyTorch op, imported as that
// op: exact GELU (x * 0.5 * (1 + erf(x / sqrt 2))) as `gelu`, and layer
// normalization as opsets before 17 decompose it (ReduceMean, Sub, Pow,
// ReduceMean, Add, Sqrt, Div, Mul, Add) as `layernorm`. Internal to
// compiler/onnx.
#pragma once

#include "compiler/onnx/OnnxNodeImport.h"

#include <set>

namespace fiver::onnx_import {

// When node `first` starts a pattern whose inner values nothing else reads,
// emits its op through `n` (node `first`'s import), defines the pattern's
// output, adds the nodes it covers to `covered` and returns true.
bool importPattern(const onnx::GraphProto& graph, int first, NodeImport& n, std::set<int>& covered);

} // namespace fiver::onnx_import
