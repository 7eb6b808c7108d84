// A fused op's expression (runtime/kernels/Expr.h) unfused into the ONNX
// nodes of its elementwise operations. Parameters are per-channel terms, as
// the kernels read them: [C] broadcast along dimension 1 of the inputs.
// Casts to bf16/fp16 are dropped: the exported model computes in fp32.
#pragma once

#include "runtime/export/OnnxGraph.h"
#include "runtime/kernels/Expr.h"

#include <string>
#include <vector>

namespace fiver::runtime {

struct FusedOnnxInputs {
  std::vector<std::string> inputs;   // the op's input values, %0, %1, ...
  std::vector<torch::Tensor> params; // @0, @1, ...
  int64_t rank = 4;                  // of the inputs, the batch dimension included
};

// Emits the nodes computing `expr`; returns the name of its result.
std::string fusedExprOnnx(OnnxGraph& g, const kernels::Node& expr, const FusedOnnxInputs& in,
                          const std::string& hint);

} // namespace fiver::runtime
