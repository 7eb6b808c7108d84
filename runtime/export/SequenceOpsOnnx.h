// The sequence op kinds of text tasks (runtime/model/SequenceOps.h) as ONNX
// nodes, for a model exported at the plan's sequence length: token and
// position embeddings, layer norm (LayerNormalization, opset 17), and causal
// multi-head self-attention with its mask as a constant.
#pragma once

#include "runtime/export/OnnxOpExport.h"

#include <string>

namespace fiver::runtime {

std::string exportEmbeddingToOnnx(OnnxOpContext& c);
std::string exportLayerNormToOnnx(OnnxOpContext& c);
std::string exportCausalAttentionToOnnx(OnnxOpContext& c);

} // namespace fiver::runtime
