#include "runtime/optim/Lars.h"

#include "runtime/TorchCompat.h"

#include <stdexcept>

namespace fiver::runtime {

void LarsOptions::serialize(torch::serialize::OutputArchive& archive) const {
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(lr);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(momentum);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(weight_decay);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(trust_coefficient);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(eps);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(adapt);
}

void LarsOptions::serialize(torch::serialize::InputArchive& archive) {
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, lr);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, momentum);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, weight_decay);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, trust_coefficient);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, eps);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(bool, adapt);
}

void LarsParamState::serialize(torch::serialize::OutputArchive& archive) const {
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(momentum_buffer);
}

void LarsParamState::serialize(torch::serialize::InputArchive& archive) {
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(torch::Tensor, momentum_buffer);
}

torch::Tensor larsLocalRate(const torch::Tensor& weightNorm, const torch::Tensor& gradNorm,
                            double trustCoefficient, double weightDecay, double eps) {
  const torch::Tensor usable = weightNorm.gt(0).logical_and(gradNorm.gt(0));
  return torch::where(usable,
                      trustCoefficient * weightNorm / (gradNorm + weightDecay * weightNorm + eps),
                      torch::ones_like(weightNorm));
}

Lars::Lars(std::vector<torch::optim::OptimizerParamGroup> groups, LarsOptions defaults)
    : Optimizer(std::move(groups), std::make_unique<LarsOptions>(defaults)) {
  if (defaults.lr() < 0 || defaults.momentum() < 0 || defaults.weight_decay() < 0 ||
      defaults.trust_coefficient() <= 0 || defaults.eps() < 0)
    throw std::runtime_error(
        "lars: lr, momentum, weight_decay and eps must be >= 0, trust_coefficient > 0");
}

torch::Tensor Lars::step(LossClosure closure) {
  torch::NoGradGuard noGrad;
  torch::Tensor loss;
  if (closure) {
    at::AutoGradMode enableGrad(true);
    loss = closure();
  }
  for (auto& group : param_groups_) {
    const auto& o = static_cast<const LarsOptions&>(group.options());
    for (torch::Tensor& p : group.params()) {
      if (!p.grad().defined()) continue;
      // The buffer accumulates lr * local_lr * (g + wd * w), as in the paper;
      // excluded tensors accumulate lr * g.
      torch::Tensor direction = p.grad().clone();
      if (o.adapt()) {
        const torch::Tensor rate = larsLocalRate(p.norm(), p.grad().norm(), o.trust_coefficient(),
                                                 o.weight_decay(), o.eps());
        if (o.weight_decay() != 0) direction.add_(p, o.weight_decay());
        direction.mul_(rate);
      }
      direction.mul_(o.lr());
      const auto key = torchcompat::optimizerStateKey(p);
      auto it = state_.find(key);
      if (it == state_.end()) {
        // The first step's buffer is the step itself (torch SGD's convention).
        auto fresh = std::make_unique<LarsParamState>();
        fresh->momentum_buffer(direction);
        it = state_.emplace(key, std::move(fresh)).first;
      } else {
        static_cast<LarsParamState&>(*it->second)
            .momentum_buffer()
            .mul_(o.momentum())
            .add_(direction);
      }
      p.sub_(static_cast<LarsParamState&>(*it->second).momentum_buffer());
    }
  }
  return loss;
}

void Lars::save(torch::serialize::OutputArchive& archive) const {
  torch::optim::serialize<LarsParamState, LarsOptions>(archive, *this);
}

void Lars::load(torch::serialize::InputArchive& archive) {
  torch::optim::serialize<LarsParamState, LarsOptions>(archive, *this);
}

} // namespace fiver::runtime
