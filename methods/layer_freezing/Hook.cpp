#include "methods/layer_freezing/Hook.h"
#include "compiler/plan/OpKinds.h"
#include "runtime/methods/HookRegistry.h"

namespace fiver::runtime {

// Parameters of a frozen op stop requiring gradients, so autograd neither
// computes nor stores anything for them, and a frozen prefix of the network
// needs no backward pass at all. Its batch norms stop updating statistics.
void LayerFreezing::apply(Event, TrainState& s) {
  const std::vector<plan::Op>& ops = s.model->ops();
  for (size_t i = 0; i < ops.size(); ++i) {
    const plan::Op& op = ops[i];
    if (op.freezeStep < 0 || s.step < op.freezeStep) continue;
    // Its backward pass, and that of what only it needed, runs no more.
    if (s.flops) s.flops->freeze(static_cast<int>(i));
    std::shared_ptr<torch::nn::Module> module = s.model->moduleOf(op.name);
    if (!module) continue;
    if (!frozen_[op.name]) {
      for (torch::Tensor& p : module->parameters()) {
        p.set_requires_grad(false);
        p.mutable_grad() = torch::Tensor();
      }
      frozen_[op.name] = true;
      if (!plan::getString(op.attrs, "fold_bn", "").empty()) s.model->foldBatchNorm(op.name);
    }
    // Training mode comes back every epoch and after each evaluation.
    if (plan::isKind(op.kind, plan::OpKind::BatchNorm)) module->eval();
  }
}

namespace {
const HookRegistrar kHook("layer_freezing",
                          [](const MethodArgs&) { return std::make_unique<LayerFreezing>(); });
} // namespace

} // namespace fiver::runtime
