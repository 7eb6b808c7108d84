#include "runtime/optim/FusedStep.h"

#include "runtime/kernels/CpuFusedOptimizer.h"
#include "runtime/kernels/CudaFusedOptimizer.h"

#include <iostream>

namespace fiver::runtime {

std::optional<FusedGroup> fusedGroup(const torch::optim::OptimizerParamGroup& group,
                                     std::string& why) {
  FusedGroup g;
  for (const torch::Tensor& p : group.params())
    if (p.grad().defined()) g.params.push_back(p);
  if (g.params.empty()) return g;
  const torch::Device device = g.params.front().device();
  if (!device.is_cpu() && !device.is_cuda())
    return why = "parameters on " + device.str() + " (fused steps run on CPU and CUDA)",
           std::nullopt;
  for (const torch::Tensor& p : g.params) {
    if (p.device() != device) return why = "a group's parameters on several devices", std::nullopt;
    // A gradient laid out unlike its parameter is copied into the
    // parameter's layout: one copy is cheaper than an unfused step.
    torch::Tensor grad = p.grad();
    why = matchParamLayout(p, grad);
    if (!why.empty()) return std::nullopt;
    if (!grad.is_same(p.grad())) p.mutable_grad() = grad;
  }
  g.cuda = device.is_cuda();
  if (g.cuda && !kernels::cudaFusedOptimizerAvailable(why)) return std::nullopt;
  return g;
}

std::string matchParamLayout(const torch::Tensor& param, torch::Tensor& state) {
  if (!state.defined() || state.sizes() != param.sizes())
    return "an optimizer state tensor does not match its parameter's size";
  if (kernels::denseLayoutMismatch(param, state).empty()) return "";
  state = torch::empty_like(param).copy_(state);
  return kernels::denseLayoutMismatch(param, state);
}

void FallbackNotice::note(const char* optimizer, const std::string& why) {
  if (seen_.insert(why).second)
    std::cerr << "5rc-exec: fused " << optimizer
              << " step unavailable, using torch::optim's: " << why << "\n";
}

} // namespace fiver::runtime
