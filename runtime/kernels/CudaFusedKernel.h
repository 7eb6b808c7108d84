// Runs a fused expression on CUDA tensors: source from CudaSource, PTX from
// NVRTC (through the kernel cache), launch through the driver API. Any
// failure to compile or load is reported and the caller falls back to eager.
#pragma once

#include "runtime/kernels/Expr.h"

#include <torch/torch.h>

#include <optional>
#include <string>
#include <vector>

namespace fiver::kernels {

// nullopt (with `why`) when the tensors are not all CUDA, not dense in one
// memory format, or the kernel cannot be built.
std::optional<torch::Tensor> runCudaFused(const Node& expr,
                                          const std::vector<torch::Tensor>& inputs,
                                          const std::vector<torch::Tensor>& params,
                                          std::string& why);

} // namespace fiver::kernels
