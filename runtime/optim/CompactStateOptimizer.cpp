#include "runtime/optim/CompactStateOptimizer.h"

#include "runtime/TorchCompat.h"
#include "runtime/optim/StepRules.h"

#include <stdexcept>

namespace fiver::runtime {

void CompactStateOptions::serialize(torch::serialize::OutputArchive& archive) const {
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(lr);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(adamw);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(momentum);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(nesterov);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(beta1);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(beta2);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(eps);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(weight_decay);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(state_dtype);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(stochastic_rounding);
}

void CompactStateOptions::serialize(torch::serialize::InputArchive& archive) {
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, lr);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(bool, adamw);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, momentum);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(bool, nesterov);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, beta1);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, beta2);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, eps);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, weight_decay);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(int64_t, state_dtype);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(bool, stochastic_rounding);
}

void CompactParamState::serialize(torch::serialize::OutputArchive& archive) const {
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(step);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(exp_avg);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(exp_avg_sq);
}

void CompactParamState::serialize(torch::serialize::InputArchive& archive) {
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(int64_t, step);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(torch::Tensor, exp_avg);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(torch::Tensor, exp_avg_sq);
}

torch::Tensor roundForStorage(const torch::Tensor& x, torch::ScalarType dtype, bool stochastic) {
  if (!stochastic) return x.to(dtype);
  if (dtype != torch::kBFloat16)
    throw std::runtime_error("stochastic rounding is implemented for bf16 state only");
  // bf16 is fp32's upper 16 bits: adding a uniform draw to the lower 16 bits
  // before truncating them rounds up with the probability of their share.
  const torch::Tensor bits = x.contiguous().view(torch::kInt32);
  const torch::Tensor noise =
      torch::randint(0, 1 << 16, x.sizes(), x.options().dtype(torch::kInt32));
  const torch::Tensor rounded = (bits + noise).bitwise_and(-65536); // 0xFFFF0000
  // Infinities and NaNs keep their bits (the draw must not carry into them).
  const torch::Tensor finite = x.isfinite();
  return torch::where(finite, rounded.view(torch::kFloat32), x).to(dtype);
}

StateBytes optimizerStateBytes(const torch::optim::Optimizer& optimizer) {
  StateBytes bytes;
  for (const auto& [key, state] : optimizer.state()) {
    const auto* s = dynamic_cast<const CompactParamState*>(state.get());
    if (!s) continue;
    for (const torch::Tensor& t : {s->exp_avg(), s->exp_avg_sq()}) {
      if (!t.defined()) continue;
      bytes.stored += t.numel() * static_cast<int64_t>(t.element_size());
      bytes.fp32 += t.numel() * 4;
    }
  }
  return bytes;
}

CompactStateOptimizer::CompactStateOptimizer(std::vector<torch::optim::OptimizerParamGroup> groups,
                                             CompactStateOptions defaults)
    : Optimizer(std::move(groups), std::make_unique<CompactStateOptions>(defaults)) {
  for (auto& group : param_groups_) {
    const auto& o = static_cast<const CompactStateOptions&>(group.options());
    const auto dtype = static_cast<torch::ScalarType>(o.state_dtype());
    for (const torch::Tensor& p : group.params()) {
      auto fresh = std::make_unique<CompactParamState>();
      fresh->exp_avg(torch::zeros_like(p, p.options().dtype(dtype)));
      fresh->exp_avg_sq(o.adamw() ? torch::zeros_like(p, p.options().dtype(dtype))
                                  : torch::zeros({0}, p.options().dtype(dtype)));
      state_[torchcompat::optimizerStateKey(p)] = std::move(fresh);
    }
  }
}

torch::Tensor CompactStateOptimizer::step(LossClosure closure) {
  torch::NoGradGuard noGrad;
  torch::Tensor loss;
  if (closure) {
    at::AutoGradMode enableGrad(true);
    loss = closure();
  }
  for (auto& group : param_groups_) {
    const auto& o = static_cast<const CompactStateOptions&>(group.options());
    const auto dtype = static_cast<torch::ScalarType>(o.state_dtype());
    for (torch::Tensor& p : group.params()) {
      if (!p.grad().defined()) continue;
      auto& s = static_cast<CompactParamState&>(*state_.at(torchcompat::optimizerStateKey(p)));
      s.step(s.step() + 1);
      const torch::Tensor grad = p.grad().to(torch::kFloat32);
      torch::Tensor first = s.exp_avg().to(torch::kFloat32);
      if (o.adamw()) {
        torch::Tensor second = s.exp_avg_sq().to(torch::kFloat32);
        adamwStep(p, grad, first, second, s.step(), o.beta1(), o.beta2(), o.eps(), o.weight_decay(),
                  o.lr());
        s.exp_avg_sq().copy_(roundForStorage(second, dtype, o.stochastic_rounding()));
      } else {
        sgdMomentumStep(p, grad, first, o.momentum(), o.nesterov(), o.weight_decay(), o.lr());
      }
      s.exp_avg().copy_(roundForStorage(first, dtype, o.stochastic_rounding()));
    }
  }
  return loss;
}

void CompactStateOptimizer::save(torch::serialize::OutputArchive& archive) const {
  torch::optim::serialize<CompactParamState, CompactStateOptions>(archive, *this);
}

void CompactStateOptimizer::load(torch::serialize::InputArchive& archive) {
  torch::optim::serialize<CompactParamState, CompactStateOptions>(archive, *this);
}

} // namespace fiver::runtime
