#include "runtime/methods/Methods.h"

namespace fiver::runtime {

// Parameters of a frozen op stop requiring gradients, so autograd neither
// computes nor stores anything for them, and a frozen prefix of the network
// needs no backward pass at all. Its batch norms stop updating statistics.
void LayerFreezing::apply(Event, TrainState& s) {
  for (const plan::Op& op : s.model->ops()) {
    if (op.freezeStep < 0 || s.step < op.freezeStep) continue;
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
    if (op.kind == "bn") module->eval();
  }
}

} // namespace fiver::runtime
