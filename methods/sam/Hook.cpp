#include "methods/sam/Hook.h"
#include "runtime/methods/HookRegistry.h"

#include <cmath>
#include <stdexcept>

namespace fiver::runtime {

std::vector<torch::Tensor> samPerturbation(const std::vector<torch::Tensor>& params, double rho,
                                           bool adaptive) {
  torch::NoGradGuard noGrad;
  double squares = 0;
  std::vector<torch::Tensor> scaled; // g, or w^2 * g (adaptive)
  for (const torch::Tensor& p : params) {
    if (!p.grad().defined()) {
      scaled.push_back(torch::zeros_like(p));
      continue;
    }
    // Adaptive SAM: ||w * g|| in the denominator, w^2 * g in the direction.
    torch::Tensor g = adaptive ? p.grad() * p.abs() : p.grad();
    squares += g.pow(2).sum().item<double>();
    scaled.push_back(adaptive ? g * p.abs() : g.clone());
  }
  const double scale = rho / (std::sqrt(squares) + 1e-12);
  for (torch::Tensor& e : scaled)
    e.mul_(scale);
  return scaled;
}

namespace {
void requireSingleProcess(const TrainState& s, const char* name) {
  if (s.collectives)
    throw std::runtime_error(std::string(name) +
                             " needs a second gradient per step, which this runtime computes "
                             "in a single process only; run without data parallelism");
  if (!s.recomputeGradients)
    throw std::runtime_error(std::string(name) + " needs a trainer that can recompute gradients");
}

void addTo(const std::vector<torch::Tensor>& params, const std::vector<torch::Tensor>& deltas,
           double sign) {
  torch::NoGradGuard noGrad;
  for (size_t i = 0; i < params.size(); ++i)
    params[i].add_(deltas[i], sign);
}
} // namespace

void Sam::apply(Event e, TrainState& s) {
  if (e == Event::FitStart) {
    requireSingleProcess(s, "sam");
    return;
  }
  const std::vector<torch::Tensor> params = optimizedParameters(s.optimizer);
  const std::vector<torch::Tensor> ascent = samPerturbation(params, rho_, adaptive_);
  addTo(params, ascent, +1);
  s.recomputeGradients(); // the gradient at w + e
  addTo(params, ascent, -1);
  ++perturbedSteps_;
}

EfficientSam::EfficientSam(double rho, int64_t k, double alpha) : rho_(rho), k_(k), alpha_(alpha) {
  if (k_ < 1) throw std::runtime_error("efficient_sam: k must be at least 1");
}

void EfficientSam::apply(Event e, TrainState& s) {
  if (e == Event::FitStart) {
    requireSingleProcess(s, "efficient_sam");
    return;
  }
  // No NoGradGuard here: the recomputation needs autograd. Gradients never
  // require grad, so the arithmetic on them builds no graph.
  const std::vector<torch::Tensor> params = optimizedParameters(s.optimizer);
  if (s.step % k_ == 0 || sharpness_.empty()) {
    std::vector<torch::Tensor> plain;
    for (const torch::Tensor& p : params)
      plain.push_back(p.grad().defined() ? p.grad().clone() : torch::zeros_like(p));
    const std::vector<torch::Tensor> ascent = samPerturbation(params, rho_, false);
    addTo(params, ascent, +1);
    s.recomputeGradients();
    addTo(params, ascent, -1);
    // Keep what the perturbed gradient adds beyond the plain direction.
    double dot = 0, plainSquares = 0;
    for (size_t i = 0; i < params.size(); ++i) {
      if (!params[i].grad().defined()) continue;
      dot += (params[i].grad() * plain[i]).sum().item<double>();
      plainSquares += plain[i].pow(2).sum().item<double>();
    }
    const double along = dot / (plainSquares + 1e-12);
    sharpness_.clear();
    for (size_t i = 0; i < params.size(); ++i) {
      torch::Tensor perturbed =
          params[i].grad().defined() ? params[i].grad() : torch::zeros_like(params[i]);
      sharpness_.push_back(perturbed - along * plain[i]);
    }
    ++perturbedSteps_;
    return;
  }
  double gradSquares = 0, storedSquares = 0;
  for (size_t i = 0; i < params.size(); ++i) {
    if (params[i].grad().defined()) gradSquares += params[i].grad().pow(2).sum().item<double>();
    storedSquares += sharpness_[i].pow(2).sum().item<double>();
  }
  const double scale = alpha_ * std::sqrt(gradSquares) / (std::sqrt(storedSquares) + 1e-12);
  for (size_t i = 0; i < params.size(); ++i)
    if (params[i].grad().defined()) params[i].grad().add_(sharpness_[i], scale);
  ++reusedSteps_;
}

void EfficientSam::saveState(MethodState& out) const {
  for (size_t i = 0; i < sharpness_.size(); ++i)
    out["sharpness." + std::to_string(i)] = sharpness_[i];
  out["stored"] = torch::tensor(static_cast<int64_t>(sharpness_.size()));
}

void EfficientSam::loadState(const MethodState& in) {
  const int64_t stored = in.at("stored").item<int64_t>();
  sharpness_.clear();
  for (int64_t i = 0; i < stored; ++i)
    sharpness_.push_back(in.at("sharpness." + std::to_string(i)).clone());
}

namespace {
const HookRegistrar kHook("sam", [](const MethodArgs& args) {
  return std::make_unique<Sam>(args.number("rho"), args.flag("adaptive"));
});
} // namespace

} // namespace fiver::runtime
