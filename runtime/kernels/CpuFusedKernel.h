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

// Elements per thread-pool task: large grains keep each task streaming
// through memory.
constexpr int64_t kCpuFusedGrain = int64_t{1} << 15;

std::optional<torch::Tensor> runCpuFused(const Node& expr, const std::vector<torch::Tensor>& inputs,
                                         const std::vector<torch::Tensor>& params,
                                         std::string& why);

// The same, writing into `out` (fp32, the inputs' shape and memory format)
// when it is defined instead of allocating the result.
std::optional<torch::Tensor> runCpuFused(const Node& expr, const std::vector<torch::Tensor>& inputs,
                                         const std::vector<torch::Tensor>& params, std::string& why,
                                         torch::Tensor out);

} // namespace fiver::kernels
