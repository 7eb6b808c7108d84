// Muon (Jordan et al., 2024; the modded-nanogpt and CIFAR-10 speed runs): SGD
// momentum whose update, for each 2-D weight (a conv's flattened to
// out x rest), is orthogonalized by a few Newton-Schulz iterations, so that
// every direction of the update moves by about the same amount. The other
// parameters (biases, norms, embeddings, the output layer) take the step of
// the recipe's optimizer (SGD with momentum, or AdamW) in the same object,
// one rule a parameter group, so one optimizer steps, schedules and
// checkpoints them all (torch's optimizer serialization).
#pragma once

#include <torch/optim/optimizer.h>
#include <torch/optim/serialize.h>

namespace fiver::runtime {

enum class MuonRule : int64_t { Orthogonalized = 0, Sgd = 1, AdamW = 2 };

struct MuonOptions : public torch::optim::OptimizerCloneableOptions<MuonOptions> {
  MuonOptions(double lr = 0.02) : lr_(lr) {}
  // The schedule sets `lr` on every group alike; a group steps with
  // lr x lr_scale, so Muon's rate follows the recipe's schedule.
  TORCH_ARG(double, lr) = 0.02;
  TORCH_ARG(double, lr_scale) = 1;
  TORCH_ARG(int64_t, rule) = static_cast<int64_t>(MuonRule::Orthogonalized);
  TORCH_ARG(double, momentum) = 0.95;
  TORCH_ARG(bool, nesterov) = true;
  TORCH_ARG(int64_t, ns_steps) = 5;
  TORCH_ARG(double, beta1) = 0.9;
  TORCH_ARG(double, beta2) = 0.999;
  TORCH_ARG(double, eps) = 1e-8;
  // Decoupled (lr x weight_decay) for Muon and AdamW, added to the gradient for SGD.
  TORCH_ARG(double, weight_decay) = 0;

public:
  void serialize(torch::serialize::InputArchive& archive) override;
  void serialize(torch::serialize::OutputArchive& archive) const override;
  double get_lr() const override { return lr(); }
  void set_lr(const double lr) override { this->lr(lr); }
};

struct MuonParamState : public torch::optim::OptimizerCloneableParamState<MuonParamState> {
  TORCH_ARG(int64_t, step) = 0;
  TORCH_ARG(torch::Tensor, momentum_buffer); // Muon, SGD (AdamW: its first moment)
  TORCH_ARG(torch::Tensor, exp_avg_sq);      // AdamW only (empty otherwise)

public:
  void serialize(torch::serialize::InputArchive& archive) override;
  void serialize(torch::serialize::OutputArchive& archive) const override;
};

// The speed runs' quintic Newton-Schulz iteration (coefficients 3.4445,
// -4.7750, 2.0315) on a 2-D matrix scaled to unit Frobenius norm: after 5
// steps its singular values lie roughly in [0.7, 1.2] with the singular
// vectors of `g` (an approximate U V^T). fp32 on the CPU, bf16 on CUDA.
torch::Tensor newtonSchulzOrthogonalize(const torch::Tensor& g, int64_t steps);

class Muon : public torch::optim::Optimizer {
public:
  explicit Muon(std::vector<torch::optim::OptimizerParamGroup> groups, MuonOptions defaults = {});
  torch::Tensor step(LossClosure closure = nullptr) override;
  void save(torch::serialize::OutputArchive& archive) const override;
  void load(torch::serialize::InputArchive& archive) override;
};

} // namespace fiver::runtime
