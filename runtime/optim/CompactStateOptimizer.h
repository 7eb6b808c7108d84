// SGD with momentum or AdamW whose per-parameter state (the momentum buffer,
// Adam's two moments) is stored in a 16-bit float type, bf16 or fp16: half
// the bytes of fp32 state (8-bit optimizers' idea at 16 bits, Dettmers et
// al. 2021). Each step widens the state to fp32, takes the ordinary step
// (runtime/optim/StepRules.h) and stores the state back, rounded to nearest
// or (bf16) stochastically. Parameters and gradients stay in their dtype.
#pragma once

#include <torch/optim/optimizer.h>
#include <torch/optim/serialize.h>

namespace fiver::runtime {

struct CompactStateOptions : public torch::optim::OptimizerCloneableOptions<CompactStateOptions> {
  CompactStateOptions(double lr = 0.1) : lr_(lr) {}
  TORCH_ARG(double, lr) = 0.1;
  TORCH_ARG(bool, adamw) = false; // false: SGD with momentum
  TORCH_ARG(double, momentum) = 0.9;
  TORCH_ARG(bool, nesterov) = false;
  TORCH_ARG(double, beta1) = 0.9;
  TORCH_ARG(double, beta2) = 0.999;
  TORCH_ARG(double, eps) = 1e-8;
  TORCH_ARG(double, weight_decay) = 0; // SGD: added to the gradient; AdamW: decoupled
  TORCH_ARG(int64_t, state_dtype) = static_cast<int64_t>(torch::kBFloat16);
  TORCH_ARG(bool, stochastic_rounding) = false;

public:
  void serialize(torch::serialize::InputArchive& archive) override;
  void serialize(torch::serialize::OutputArchive& archive) const override;
  double get_lr() const override { return lr(); }
  void set_lr(const double lr) override { this->lr(lr); }
};

struct CompactParamState : public torch::optim::OptimizerCloneableParamState<CompactParamState> {
  TORCH_ARG(int64_t, step) = 0;
  TORCH_ARG(torch::Tensor, exp_avg);    // the momentum buffer (SGD) or first moment
  TORCH_ARG(torch::Tensor, exp_avg_sq); // AdamW only (empty for SGD)

public:
  void serialize(torch::serialize::InputArchive& archive) override;
  void serialize(torch::serialize::OutputArchive& archive) const override;
};

// `x` (fp32) stored as `dtype`: to nearest, or for bf16 stochastically
// (rounds up with probability equal to x's distance from the value below,
// in units of the gap, so the rounding is unbiased on average).
torch::Tensor roundForStorage(const torch::Tensor& x, torch::ScalarType dtype, bool stochastic);

// The bytes an optimizer's per-parameter state tensors take, and what they
// would take in fp32 (the same elements at 4 bytes).
struct StateBytes {
  int64_t stored = 0, fp32 = 0;
};
StateBytes optimizerStateBytes(const torch::optim::Optimizer& optimizer);

class CompactStateOptimizer : public torch::optim::Optimizer {
public:
  // The state of every parameter is made at once, so its size is known
  // before the first step.
  explicit CompactStateOptimizer(std::vector<torch::optim::OptimizerParamGroup> groups,
                                 CompactStateOptions defaults = {});
  torch::Tensor step(LossClosure closure = nullptr) override;
  void save(torch::serialize::OutputArchive& archive) const override;
  void load(torch::serialize::InputArchive& archive) override;
};

} // namespace fiver::runtime
