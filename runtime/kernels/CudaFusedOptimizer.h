// Launches the multi-tensor optimizer kernels of FusedOptimizerSource on
// CUDA tensors: NVRTC compiles them once per device architecture (through
// KernelCache), CudaLauncher loads and launches them on the legacy default
// stream, after LibTorch's work there. Nothing here runs unless the tensors
// are on CUDA; machines without a GPU never load libcuda or libnvrtc.
#pragma once

#include <torch/torch.h>

#include <string>
#include <vector>

namespace fiver::kernels {

struct CudaSgdStep {
  double lr = 0, momentum = 0, weightDecay = 0;
  bool nesterov = false;
};

struct CudaAdamWStep {
  double lr = 0, beta1 = 0, beta2 = 0, eps = 0, weightDecay = 0;
  double biasCorrection1 = 1, biasCorrection2 = 1; // 1 - beta^step
};

// False with `why` when NVRTC or the CUDA driver cannot be loaded.
bool cudaFusedOptimizerAvailable(std::string& why);

// Each entry holds param, grad, then state (SGD: the momentum buffer, which
// starts at zero; AdamW: exp_avg, exp_avg_sq), fp32 and dense on one CUDA
// device. Throws with the driver's or NVRTC's message on failure.
void runCudaSgd(const std::vector<std::vector<torch::Tensor>>& entries, const CudaSgdStep& step);
void runCudaAdamW(const std::vector<std::vector<torch::Tensor>>& entries,
                  const CudaAdamWStep& step);

} // namespace fiver::kernels
