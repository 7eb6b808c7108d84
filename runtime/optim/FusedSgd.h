// torch::optim::SGD whose step updates each parameter group with one fused
// multi-tensor kernel: LLVM-compiled on CPU, NVRTC on CUDA. Param groups,
// options and per-parameter state (momentum_buffer) stay torch's own, so
// checkpoints, learning-rate changes and methods that read or copy the
// optimizer see no difference. Groups the kernels cannot walk (other dtypes,
// sparse or strided tensors) take SGD's own step, with a note saying why.
#pragma once

#include "runtime/optim/FusedStep.h"

#include <torch/torch.h>

namespace fiver::runtime {

class FusedSgd : public torch::optim::SGD {
public:
  using torch::optim::SGD::SGD;
  torch::Tensor step(LossClosure closure = nullptr) override;

private:
  struct GroupStep;
  std::optional<GroupStep> prepare(torch::optim::OptimizerParamGroup& group, std::string& why);
  void run(GroupStep& step);

  FallbackNotice fallback_;
};

} // namespace fiver::runtime
