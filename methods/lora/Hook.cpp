#include "methods/lora/Hook.h"
#include "runtime/methods/HookRegistry.h"

#include "compiler/plan/LowRankAdapters.h"

namespace fiver::runtime {

std::vector<int> attachLowRankAdapters(PlanModel& model) {
  torch::NoGradGuard noGrad;
  const std::vector<plan::Op>& ops = model->ops();
  std::vector<int> frozen;
  for (const plan::LowRankAdapter& a : plan::lowRankAdapters(ops)) {
    for (torch::Tensor& p : model->parametersOf(ops[static_cast<size_t>(a.base)].name))
      p.set_requires_grad(false);
    for (torch::Tensor& p : model->parametersOf(ops[static_cast<size_t>(a.up)].name))
      p.zero_();
    frozen.push_back(a.base);
  }
  return frozen;
}

void Lora::apply(Event, TrainState& s) {
  const std::vector<int> frozen = attachLowRankAdapters(s.model);
  // Their weight gradients are gone from backward; their input gradients
  // remain wherever an adapter or a layer below trains.
  if (s.flops)
    for (int op : frozen)
      s.flops->freeze(op);
  s.findings["lora.adapted_layers"] = static_cast<double>(frozen.size());
}

namespace {
const HookRegistrar kHook("lora", [](const MethodArgs&) { return std::make_unique<Lora>(); });
} // namespace

} // namespace fiver::runtime
