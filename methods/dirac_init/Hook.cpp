#include "methods/dirac_init/Hook.h"
#include "runtime/methods/HookRegistry.h"

#include "compiler/plan/OpKinds.h"

#include <algorithm>

namespace fiver::runtime {

int diracInitialize(PlanModel& model) {
  torch::NoGradGuard noGrad;
  int changed = 0;
  for (const plan::Op& op : model->ops()) {
    if (!plan::isKind(op.kind, plan::OpKind::Conv) || plan::getNumber(op.attrs, "groups", 1) > 1)
      continue;
    torch::Tensor weight = model->parametersOf(op.name).at(0);
    const int64_t k = weight.size(2);
    if (weight.dim() != 4 || k != weight.size(3) || k % 2 == 0) continue;
    // dirac_ writes into any strides, so channels-last weights stay so.
    torch::nn::init::dirac_(weight.narrow(0, 0, std::min(weight.size(0), weight.size(1))));
    ++changed;
  }
  return changed;
}

namespace {
const HookRegistrar kHook("dirac_init",
                          [](const MethodArgs&) { return std::make_unique<DiracInit>(); });
} // namespace

} // namespace fiver::runtime
