// Runs a fused expression on CPU tensors with an LLVM-compiled kernel,
// split over the intra-op thread pool (at::parallel_for). Handles fp32
// tensors that are contiguous or channels-last, parameters broadcast along
// channels; anything else is refused with a reason and runs eagerly.
#pragma once

#include "runtime/kernels/Expr.h"

#include <torch/torch.h>

#include <optional>
#include <string>
#include <vector>

namespace fiver::kernels {

std::optional<torch::Tensor> runCpuFused(const Node& expr, const std::vector<torch::Tensor>& inputs,
                                         const std::vector<torch::Tensor>& params,
                                         std::string& why);

} // namespace fiver::kernels
