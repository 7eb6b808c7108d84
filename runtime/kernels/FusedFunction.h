// A fused group as one autograd node: forward evaluates the expression,
// backward evaluates its symbolic derivative; only the inputs the program
// marks as saved are kept between the two.
#pragma once

#include "runtime/kernels/FusedProgram.h"

#include <torch/torch.h>

#include <vector>

namespace fiver::kernels {

torch::Tensor applyFused(const FusedProgram& program, const std::vector<torch::Tensor>& inputs,
                         const std::vector<torch::Tensor>& params);

} // namespace fiver::kernels
