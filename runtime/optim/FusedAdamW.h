// torch::optim::AdamW whose step updates each parameter group with one fused
// multi-tensor kernel: LLVM-compiled on CPU, NVRTC on CUDA. Param groups,
// options and per-parameter state (step, exp_avg, exp_avg_sq) stay torch's
// own, so checkpoints, learning-rate changes and methods that read or copy
// the optimizer see no difference. Groups the kernels cannot walk (amsgrad,
// other dtypes, sparse or strided tensors) take AdamW's own step, with a
// note saying why.
#pragma once

#include "runtime/optim/FusedStep.h"

#include <torch/torch.h>

namespace fiver::runtime {

class FusedAdamW : public torch::optim::AdamW {
public:
  using torch::optim::AdamW::AdamW;
  torch::Tensor step(LossClosure closure = nullptr) override;

private:
  struct GroupStep;
  std::optional<GroupStep> prepare(torch::optim::OptimizerParamGroup& group, std::string& why);
  void run(GroupStep& step);

  FallbackNotice fallback_;
};

} // namespace fiver::runtime
