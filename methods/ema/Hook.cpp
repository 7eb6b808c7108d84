#include "methods/ema/Hook.h"
#include "runtime/methods/HookRegistry.h"
#include "runtime/train/FlopCharges.h"

#include <cmath>

namespace fiver::runtime {

void emaUpdate(std::vector<torch::Tensor>& shadow, const std::vector<torch::Tensor>& live,
               double decay) {
  torch::NoGradGuard noGrad;
  for (size_t i = 0; i < shadow.size(); ++i) {
    if (shadow[i].is_floating_point())
      shadow[i].lerp_(live[i], 1 - decay);
    else
      shadow[i].copy_(live[i]);
  }
}

// decay^half_life = 1/2: a weight's influence halves every half_life steps.
Ema::Ema(double halfLifeSteps) : decay_(std::pow(0.5, 1.0 / std::max(1.0, halfLifeSteps))) {}

void Ema::swap(PlanModel& model) {
  torch::NoGradGuard noGrad;
  std::vector<torch::Tensor> live = model->stateTensors();
  for (size_t i = 0; i < live.size(); ++i) {
    torch::Tensor tmp = live[i].clone();
    live[i].copy_(shadow_[i]);
    shadow_[i].copy_(tmp);
  }
}

void Ema::apply(Event e, TrainState& s) {
  switch (e) {
  case Event::FitStart: {
    torch::NoGradGuard noGrad;
    shadow_.clear();
    for (const torch::Tensor& t : s.model->stateTensors())
      shadow_.push_back(t.detach().clone());
    break;
  }
  case Event::AfterOptimizerStep:
    emaUpdate(shadow_, s.model->stateTensors(), decay_);
    chargeElementwise(s, FlopKind::Averaging, shadow_, 3); // lerp: a + w (b - a)
    break;
  case Event::EvalStart: // evaluate the average, keep the live weights aside
  case Event::EvalEnd:
    swap(s.model);
    break;
  default:
    break;
  }
}

void Ema::saveState(MethodState& out) const {
  for (size_t i = 0; i < shadow_.size(); ++i)
    out["shadow." + std::to_string(i)] = shadow_[i];
}

void Ema::loadState(const MethodState& in) {
  torch::NoGradGuard noGrad;
  for (size_t i = 0; i < shadow_.size(); ++i)
    shadow_[i].copy_(in.at("shadow." + std::to_string(i)));
}

namespace {
const HookRegistrar kHook("ema", [](const MethodArgs& args) {
  return std::make_unique<Ema>(args.number("half_life"));
});
} // namespace

} // namespace fiver::runtime
