#include "methods/orthogonal_init/Hook.h"
#include "runtime/methods/HookRegistry.h"

#include "compiler/plan/OpKinds.h"

namespace fiver::runtime {

// Each weight, flattened to (out, fan_in), gets orthonormal rows (or columns)
// times `gain`; biases start at zero.
void orthogonalInitialize(PlanModel& model, double gain) {
  torch::NoGradGuard noGrad;
  for (const plan::Op& op : model->ops()) {
    if (!plan::ownsWeightMatrix(op)) continue;
    std::vector<torch::Tensor> params = model->parametersOf(op.name);
    for (torch::Tensor& p : params) {
      if (p.dim() < 2)
        p.zero_();
      else
        // init::orthogonal_ views the weight as (out, fan_in), which a
        // channels-last weight (the channels_last pass) cannot be: draw into
        // a contiguous tensor and copy, keeping the weight's layout.
        p.copy_(torch::nn::init::orthogonal_(torch::empty(p.sizes(), p.options()), gain));
    }
  }
}

void OrthogonalInit::apply(Event, TrainState& s) {
  orthogonalInitialize(s.model, gain_);
}

namespace {
const HookRegistrar kHook("orthogonal_init", [](const MethodArgs& args) {
  return std::make_unique<OrthogonalInit>(args.number("gain"));
});
} // namespace

} // namespace fiver::runtime
