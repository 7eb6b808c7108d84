#include "runtime/optim/Lamb.h"

#include "runtime/TorchCompat.h"

#include <cmath>
#include <stdexcept>

namespace fiver::runtime {

void LambOptions::serialize(torch::serialize::OutputArchive& archive) const {
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(lr);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(beta1);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(beta2);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(eps);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(weight_decay);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(adapt);
}

void LambOptions::serialize(torch::serialize::InputArchive& archive) {
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, lr);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, beta1);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, beta2);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, eps);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, weight_decay);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(bool, adapt);
}

void LambParamState::serialize(torch::serialize::OutputArchive& archive) const {
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(step);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(exp_avg);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(exp_avg_sq);
}

void LambParamState::serialize(torch::serialize::InputArchive& archive) {
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(int64_t, step);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(torch::Tensor, exp_avg);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(torch::Tensor, exp_avg_sq);
}

torch::Tensor trustRatio(const torch::Tensor& weightNorm, const torch::Tensor& updateNorm) {
  const torch::Tensor usable = weightNorm.gt(0).logical_and(updateNorm.gt(0));
  return torch::where(usable, weightNorm / updateNorm, torch::ones_like(weightNorm));
}

Lamb::Lamb(std::vector<torch::optim::OptimizerParamGroup> groups, LambOptions defaults)
    : Optimizer(std::move(groups), std::make_unique<LambOptions>(defaults)) {
  if (defaults.lr() < 0 || defaults.eps() < 0 || defaults.weight_decay() < 0 ||
      defaults.beta1() < 0 || defaults.beta1() >= 1 || defaults.beta2() < 0 ||
      defaults.beta2() >= 1)
    throw std::runtime_error("lamb: lr, eps and weight_decay must be >= 0 and betas in [0, 1)");
}

torch::Tensor Lamb::step(LossClosure closure) {
  torch::NoGradGuard noGrad;
  torch::Tensor loss;
  if (closure) {
    at::AutoGradMode enableGrad(true);
    loss = closure();
  }
  for (auto& group : param_groups_) {
    const auto& o = static_cast<const LambOptions&>(group.options());
    for (torch::Tensor& p : group.params()) {
      if (!p.grad().defined()) continue;
      const torch::Tensor& grad = p.grad();
      const auto key = torchcompat::optimizerStateKey(p);
      auto it = state_.find(key);
      if (it == state_.end()) {
        auto fresh = std::make_unique<LambParamState>();
        fresh->exp_avg(torch::zeros_like(p, torch::MemoryFormat::Preserve));
        fresh->exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Preserve));
        it = state_.emplace(key, std::move(fresh)).first;
      }
      auto& s = static_cast<LambParamState&>(*it->second);
      s.step(s.step() + 1);
      s.exp_avg().mul_(o.beta1()).add_(grad, 1 - o.beta1());
      s.exp_avg_sq().mul_(o.beta2()).addcmul_(grad, grad, 1 - o.beta2());
      const double correction1 = 1 - std::pow(o.beta1(), static_cast<double>(s.step()));
      const double correction2 = 1 - std::pow(o.beta2(), static_cast<double>(s.step()));
      torch::Tensor update =
          (s.exp_avg() / correction1) / ((s.exp_avg_sq() / correction2).sqrt_().add_(o.eps()));
      if (!o.adapt()) {
        p.add_(update, -o.lr());
        continue;
      }
      if (o.weight_decay() != 0) update.add_(p, o.weight_decay());
      const torch::Tensor ratio = trustRatio(p.norm(), update.norm());
      p.sub_(update.mul_(ratio * o.lr()));
    }
  }
  return loss;
}

void Lamb::save(torch::serialize::OutputArchive& archive) const {
  torch::optim::serialize<LambParamState, LambOptions>(archive, *this);
}

void Lamb::load(torch::serialize::InputArchive& archive) {
  torch::optim::serialize<LambParamState, LambOptions>(archive, *this);
}

} // namespace fiver::runtime
