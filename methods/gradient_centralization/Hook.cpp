#include "methods/gradient_centralization/Hook.h"
#include "runtime/methods/HookRegistry.h"

namespace fiver::runtime {

void centralizeGradients(const std::vector<torch::Tensor>& params, bool includeLinear) {
  torch::NoGradGuard noGrad;
  for (const torch::Tensor& p : params) {
    if (!p.grad().defined() || p.dim() < 2 || (p.dim() == 2 && !includeLinear)) continue;
    std::vector<int64_t> dims;
    for (int64_t d = 1; d < p.dim(); ++d)
      dims.push_back(d);
    p.grad().sub_(p.grad().mean(dims, /*keepdim=*/true));
  }
}

void GradientCentralization::apply(Event, TrainState& s) {
  centralizeGradients(optimizedParameters(s.optimizer), includeLinear_);
}

namespace {
const HookRegistrar kHook("gradient_centralization", [](const MethodArgs& args) {
  return std::make_unique<GradientCentralization>(args.flag("include_linear"));
});
} // namespace

} // namespace fiver::runtime
