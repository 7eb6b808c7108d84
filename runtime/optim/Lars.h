// LARS (You, Gitman and Ginsburg, 2017): SGD with momentum where each tensor's
// learning rate is scaled by trust_coefficient * ||w|| / (||g|| + wd * ||w|| + eps).
// Groups with `adapt` off (batch-norm and bias tensors) take a plain momentum
// step without decay. Its own options and state, so checkpoints carry it.
#pragma once

#include <torch/optim/optimizer.h>
#include <torch/optim/serialize.h>

namespace fiver::runtime {

struct LarsOptions : public torch::optim::OptimizerCloneableOptions<LarsOptions> {
  LarsOptions(double lr = 0.1) : lr_(lr) {}
  TORCH_ARG(double, lr) = 0.1;
  TORCH_ARG(double, momentum) = 0.9;
  TORCH_ARG(double, weight_decay) = 0;
  TORCH_ARG(double, trust_coefficient) = 0.001;
  TORCH_ARG(double, eps) = 1e-8;
  TORCH_ARG(bool, adapt) = true;

public:
  void serialize(torch::serialize::InputArchive& archive) override;
  void serialize(torch::serialize::OutputArchive& archive) const override;
  double get_lr() const override { return lr(); }
  void set_lr(const double lr) override { this->lr(lr); }
};

struct LarsParamState : public torch::optim::OptimizerCloneableParamState<LarsParamState> {
  TORCH_ARG(torch::Tensor, momentum_buffer);

public:
  void serialize(torch::serialize::InputArchive& archive) override;
  void serialize(torch::serialize::OutputArchive& archive) const override;
};

// trust * ||w|| / (||g|| + wd * ||w|| + eps), or 1 when either norm is zero.
torch::Tensor larsLocalRate(const torch::Tensor& weightNorm, const torch::Tensor& gradNorm,
                            double trustCoefficient, double weightDecay, double eps);

class Lars : public torch::optim::Optimizer {
public:
  explicit Lars(std::vector<torch::optim::OptimizerParamGroup> groups, LarsOptions defaults = {});
  torch::Tensor step(LossClosure closure = nullptr) override;
  void save(torch::serialize::OutputArchive& archive) const override;
  void load(torch::serialize::InputArchive& archive) override;
};

} // namespace fiver::runtime
