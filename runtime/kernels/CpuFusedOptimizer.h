// Runs a fused optimizer step (CpuOptimizerKernel) over a parameter group's
// CPU tensors: one table of pointers and sizes for the whole group, split
// into large chunks over the intra-op thread pool (at::parallel_for).
#pragma once

#include "runtime/kernels/CpuOptimizerKernel.h"

#include <torch/torch.h>

#include <string>
#include <vector>

namespace fiver::kernels {

// One group's tensors in the layout the kernels read.
class OptimizerStepTable {
public:
  explicit OptimizerStepTable(int slots) : slots_(slots) {}

  // `tensors`: param, grad, then state, all fp32 with the param's sizes and
  // strides, non-overlapping and dense (see denseLayoutMismatch).
  void add(const std::vector<torch::Tensor>& tensors, float perTensor0, float perTensor1);

  int64_t count() const { return static_cast<int64_t>(starts_.size()) - 1; }
  int64_t total() const { return starts_.back(); }
  float* const* tensors() const { return pointers_.data(); }
  const int64_t* starts() const { return starts_.data(); }
  const float* perTensor() const { return perTensor_.data(); }

private:
  int slots_;
  std::vector<float*> pointers_;
  std::vector<int64_t> starts_{0};
  std::vector<float> perTensor_;
};

// Why `other` cannot be walked element by element beside `param` (another
// device, dtype, size or stride; sparse; overlapping or with gaps), or ""
// when it can.
std::string denseLayoutMismatch(const torch::Tensor& param, const torch::Tensor& other);

// The compiled kernel for `spec` (cached per process); nullptr with `why`
// when the JIT is unavailable or compilation fails.
CpuOptimizerFn cpuOptimizerKernel(const CpuOptimizerSpec& spec, std::string& why);

// Steps every tensor of `table` in place with `kernel`.
void runCpuOptimizer(CpuOptimizerFn kernel, const OptimizerStepTable& table,
                     const std::vector<float>& scalars);

} // namespace fiver::kernels
