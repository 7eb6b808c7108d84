#include "methods/gradient_clipping/Hook.h"
#include "runtime/methods/HookRegistry.h"

#include <cmath>
#include <stdexcept>

namespace fiver::runtime {

double clipGradientNorm(const std::vector<torch::Tensor>& params, double maxNorm) {
  torch::NoGradGuard noGrad;
  double squares = 0;
  for (const torch::Tensor& p : params)
    if (p.grad().defined()) squares += p.grad().pow(2).sum().item<double>();
  const double norm = std::sqrt(squares);
  if (norm > maxNorm) {
    const double scale = maxNorm / (norm + 1e-6);
    for (const torch::Tensor& p : params)
      if (p.grad().defined()) p.grad().mul_(scale);
  }
  return norm;
}

namespace {
// L2 norm of each output unit (dim 0); the whole tensor for 0-/1-D ones.
torch::Tensor unitNorms(const torch::Tensor& t) {
  if (t.dim() <= 1) return t.norm();
  std::vector<int64_t> dims;
  for (int64_t d = 1; d < t.dim(); ++d)
    dims.push_back(d);
  return t.norm(2, dims, /*keepdim=*/true);
}
} // namespace

void clipGradientsAdaptive(const std::vector<torch::Tensor>& params, double clipRatio, double eps) {
  torch::NoGradGuard noGrad;
  for (const torch::Tensor& p : params) {
    if (!p.grad().defined()) continue;
    torch::Tensor limit = unitNorms(p).clamp_min(eps) * clipRatio;
    torch::Tensor gradNorm = unitNorms(p.grad()).clamp_min(1e-6);
    p.grad().mul_(torch::where(gradNorm > limit, limit / gradNorm, torch::ones_like(gradNorm)));
  }
}

void clipGradientValues(const std::vector<torch::Tensor>& params, double maxValue) {
  torch::NoGradGuard noGrad;
  for (const torch::Tensor& p : params)
    if (p.grad().defined()) p.grad().clamp_(-maxValue, maxValue);
}

GradientClipping::GradientClipping(std::string mode, double maxNorm, double clipRatio)
    : mode_(std::move(mode)), maxNorm_(maxNorm), clipRatio_(clipRatio) {
  if (mode_ != "norm" && mode_ != "adaptive" && mode_ != "value")
    throw std::runtime_error("gradient_clipping: unknown mode '" + mode_ +
                             "' (known: norm, adaptive, value)");
}

void GradientClipping::apply(Event, TrainState& s) {
  const std::vector<torch::Tensor> params = optimizedParameters(s.optimizer);
  if (mode_ == "norm") {
    if (clipGradientNorm(params, maxNorm_) > maxNorm_) ++clippedSteps_;
  } else if (mode_ == "adaptive") {
    clipGradientsAdaptive(params, clipRatio_);
    ++clippedSteps_;
  } else {
    clipGradientValues(params, maxNorm_);
    ++clippedSteps_;
  }
}

namespace {
const HookRegistrar kHook("gradient_clipping", [](const MethodArgs& args) {
  return std::make_unique<GradientClipping>(args.name("mode"), args.number("max_norm"),
                                            args.number("clip_ratio"));
});
} // namespace

} // namespace fiver::runtime
