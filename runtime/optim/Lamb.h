// LAMB (You et al., ICLR 2020): an Adam step with decoupled weight decay,
// rescaled per tensor by the trust ratio ||w|| / ||update|| so that every
// layer moves by a similar fraction of its weights. Its own options and
// per-parameter state, so torch's optimizer serialization checkpoints it.
#pragma once

#include <torch/optim/optimizer.h>
#include <torch/optim/serialize.h>

namespace fiver::runtime {

struct LambOptions : public torch::optim::OptimizerCloneableOptions<LambOptions> {
  LambOptions(double lr = 1e-3) : lr_(lr) {}
  TORCH_ARG(double, lr) = 1e-3;
  TORCH_ARG(double, beta1) = 0.9;
  TORCH_ARG(double, beta2) = 0.999;
  TORCH_ARG(double, eps) = 1e-6;
  TORCH_ARG(double, weight_decay) = 0;
  // False for batch-norm and bias tensors: a plain Adam step without decay.
  TORCH_ARG(bool, adapt) = true;

public:
  void serialize(torch::serialize::InputArchive& archive) override;
  void serialize(torch::serialize::OutputArchive& archive) const override;
  double get_lr() const override { return lr(); }
  void set_lr(const double lr) override { this->lr(lr); }
};

struct LambParamState : public torch::optim::OptimizerCloneableParamState<LambParamState> {
  TORCH_ARG(int64_t, step) = 0;
  TORCH_ARG(torch::Tensor, exp_avg);
  TORCH_ARG(torch::Tensor, exp_avg_sq);

public:
  void serialize(torch::serialize::InputArchive& archive) override;
  void serialize(torch::serialize::OutputArchive& archive) const override;
};

// ||w|| / ||u||, or 1 when either norm is zero (fresh zero-initialized
// tensors, or no update), as a 0-d tensor on the parameter's device.
torch::Tensor trustRatio(const torch::Tensor& weightNorm, const torch::Tensor& updateNorm);

class Lamb : public torch::optim::Optimizer {
public:
  explicit Lamb(std::vector<torch::optim::OptimizerParamGroup> groups, LambOptions defaults = {});
  torch::Tensor step(LossClosure closure = nullptr) override;
  void save(torch::serialize::OutputArchive& archive) const override;
  void load(torch::serialize::InputArchive& archive) override;
};

} // namespace fiver::runtime
