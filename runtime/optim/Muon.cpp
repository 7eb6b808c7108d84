#include "runtime/optim/Muon.h"

#include "runtime/TorchCompat.h"
#include "runtime/optim/StepRules.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace fiver::runtime {

void MuonOptions::serialize(torch::serialize::OutputArchive& archive) const {
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(lr);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(lr_scale);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(rule);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(momentum);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(nesterov);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(ns_steps);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(beta1);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(beta2);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(eps);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(weight_decay);
}

void MuonOptions::serialize(torch::serialize::InputArchive& archive) {
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, lr);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, lr_scale);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(int64_t, rule);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, momentum);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(bool, nesterov);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(int64_t, ns_steps);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, beta1);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, beta2);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, eps);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, weight_decay);
}

void MuonParamState::serialize(torch::serialize::OutputArchive& archive) const {
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(step);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(momentum_buffer);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(exp_avg_sq);
}

void MuonParamState::serialize(torch::serialize::InputArchive& archive) {
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(int64_t, step);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(torch::Tensor, momentum_buffer);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(torch::Tensor, exp_avg_sq);
}

torch::Tensor newtonSchulzOrthogonalize(const torch::Tensor& g, int64_t steps) {
  constexpr double a = 3.4445, b = -4.7750, c = 2.0315;
  // bf16 matrix products are fast on GPUs only; the CPU keeps fp32.
  torch::Tensor x = g.to(g.is_cuda() ? torch::kBFloat16 : torch::kFloat32);
  const bool tall = x.size(0) > x.size(1);
  if (tall) x = x.t();
  x = x / (x.norm() + 1e-7);
  for (int64_t i = 0; i < steps; ++i) {
    const torch::Tensor gram = x.mm(x.t());
    const torch::Tensor poly = torch::addmm(gram, gram, gram, b, c); // b A + c A A
    x = torch::addmm(x, poly, x, a, 1);                              // a X + (b A + c A A) X
  }
  if (tall) x = x.t();
  return x.to(g.scalar_type());
}

namespace {

template <class StateMap>
MuonParamState& stateOf(StateMap& states, const torch::Tensor& p, MuonRule rule) {
  const auto key = torchcompat::optimizerStateKey(p);
  auto it = states.find(key);
  if (it == states.end()) {
    auto fresh = std::make_unique<MuonParamState>();
    fresh->momentum_buffer(torch::zeros_like(p, torch::MemoryFormat::Preserve));
    fresh->exp_avg_sq(rule == MuonRule::AdamW ? torch::zeros_like(p, torch::MemoryFormat::Preserve)
                                              : torch::zeros({0}, p.options()));
    it = states.emplace(key, std::move(fresh)).first;
  }
  return static_cast<MuonParamState&>(*it->second);
}

void orthogonalizedStep(torch::Tensor& p, const torch::Tensor& grad, MuonParamState& s,
                        const MuonOptions& o, double lr) {
  torch::Tensor& buf = s.momentum_buffer();
  buf.lerp_(grad, 1 - o.momentum());
  const torch::Tensor update = o.nesterov() ? grad.lerp(buf, o.momentum()) : buf;
  const torch::Tensor matrix = update.reshape({update.size(0), -1});
  const torch::Tensor ortho = newtonSchulzOrthogonalize(matrix, o.ns_steps());
  // Tall matrices: as the speed runs, scale by sqrt(rows / cols) so their
  // per-entry step matches a square one's.
  const double aspect = std::sqrt(
      std::max(1.0, static_cast<double>(matrix.size(0)) / static_cast<double>(matrix.size(1))));
  if (o.weight_decay() != 0) p.mul_(1 - lr * o.weight_decay());
  p.add_(ortho.view(p.sizes()), -lr * aspect);
}

} // namespace

Muon::Muon(std::vector<torch::optim::OptimizerParamGroup> groups, MuonOptions defaults)
    : Optimizer(std::move(groups), std::make_unique<MuonOptions>(defaults)) {
  if (defaults.lr() < 0 || defaults.momentum() < 0 || defaults.momentum() >= 1 ||
      defaults.ns_steps() < 1)
    throw std::runtime_error("muon: lr must be >= 0, momentum in [0, 1), ns_steps >= 1");
}

torch::Tensor Muon::step(LossClosure closure) {
  torch::NoGradGuard noGrad;
  torch::Tensor loss;
  if (closure) {
    at::AutoGradMode enableGrad(true);
    loss = closure();
  }
  for (auto& group : param_groups_) {
    const auto& o = static_cast<const MuonOptions&>(group.options());
    const auto rule = static_cast<MuonRule>(o.rule());
    const double lr = o.lr() * o.lr_scale();
    for (torch::Tensor& p : group.params()) {
      if (!p.grad().defined()) continue;
      MuonParamState& s = stateOf(state_, p, rule);
      s.step(s.step() + 1);
      if (rule == MuonRule::Orthogonalized && p.dim() >= 2)
        orthogonalizedStep(p, p.grad(), s, o, lr);
      else if (rule == MuonRule::AdamW)
        adamwStep(p, p.grad(), s.momentum_buffer(), s.exp_avg_sq(), s.step(), o.beta1(), o.beta2(),
                  o.eps(), o.weight_decay(), lr);
      else
        sgdMomentumStep(p, p.grad(), s.momentum_buffer(), o.momentum(), o.nesterov(),
                        o.weight_decay(), lr);
    }
  }
  return loss;
}

void Muon::save(torch::serialize::OutputArchive& archive) const {
  torch::optim::serialize<MuonParamState, MuonOptions>(archive, *this);
}

void Muon::load(torch::serialize::InputArchive& archive) {
  torch::optim::serialize<MuonParamState, MuonOptions>(archive, *this);
}

} // namespace fiver::runtime
