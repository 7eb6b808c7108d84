// The tensor op kinds of imported transformers (parameter, reshape,
// transpose, concat, slice, matmul, scale, softmax, causal_mask) as ONNX
// nodes. Their axes count after the batch, which every exported value keeps
// as its first axis.
#pragma once

#include "runtime/export/OnnxOpExport.h"

#include <string>

namespace fiver::runtime {

std::string exportParameterToOnnx(OnnxOpContext& c);
std::string exportReshapeToOnnx(OnnxOpContext& c);
std::string exportTransposeToOnnx(OnnxOpContext& c);
std::string exportConcatToOnnx(OnnxOpContext& c);
std::string exportSliceToOnnx(OnnxOpContext& c);
std::string exportMatMulToOnnx(OnnxOpContext& c);
std::string exportScaleToOnnx(OnnxOpContext& c);
std::string exportSoftmaxToOnnx(OnnxOpContext& c);
std::string exportCausalMaskToOnnx(OnnxOpContext& c);

} // namespace fiver::runtime
