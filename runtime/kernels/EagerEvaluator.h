// Evaluates a fused expression with LibTorch ops: the fallback when no
// compiled kernel is available and the reference the kernels are tested
// against. Arithmetic is done in fp32; the result has the dtype of input 0
// unless the expression ends in a cast.
#pragma once

#include "runtime/kernels/Expr.h"

#include <torch/torch.h>

#include <vector>

namespace fiver::kernels {

// Parameters are 1-D [C] tensors broadcast along dimension 1 of the inputs.
torch::Tensor evaluateEager(const Node& expr, const std::vector<torch::Tensor>& inputs,
                            const std::vector<torch::Tensor>& params);

} // namespace fiver::kernels
