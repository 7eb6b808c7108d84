// Probes of the methods that shape the gradient the optimizer applies, read
// at BEFORE_OPTIMIZER_STEP once every method has acted.
#include "tests/composition/Probes.h"

#include "methods/cyclic_lr/Hook.h"
#include "methods/gradient_centralization/Hook.h"
#include "methods/gradient_clipping/Hook.h"
#include "methods/gradual_magnitude_pruning/Hook.h"
#include "methods/kaiming_init/Hook.h"
#include "methods/lookahead/Hook.h"
#include "methods/orthogonal_init/Hook.h"
#include "methods/sam/Hook.h"
#include "methods/warmup/Hook.h"
#include "runtime/methods/OptimizedParameters.h"

#include <cmath>

namespace fiver::composition {

namespace {

double gradientNorm(const torch::optim::Optimizer& opt) {
  double squares = 0;
  for (const torch::Tensor& p : runtime::optimizedParameters(opt))
    if (p.grad().defined()) squares += p.grad().pow(2).sum().item<double>();
  return std::sqrt(squares);
}

// Clipping by norm: the applied gradient is no longer than max_norm.
class BoundedNorm : public Probe {
public:
  explicit BoundedNorm(double maxNorm) : maxNorm_(maxNorm) {}
  void afterMethods(Event e, const TrainState& s) override {
    if (e != Event::BeforeOptimizerStep) return;
    const double norm = gradientNorm(s.optimizer);
    expect(norm <= maxNorm_ * (1 + 1e-4), "step " + std::to_string(s.step) +
                                              " applies a gradient of norm " +
                                              std::to_string(norm));
  }

private:
  double maxNorm_;
};

// Gradient centralization: every weight gradient of a convolution or linear
// layer has zero mean over its inputs, per output unit, to float precision:
// a later linear transform that keeps the means zero in exact arithmetic
// (shampoo's right factor has the all-ones vector in its null space) leaves
// rounding of about 1e-5 of the largest entry.
class CentredGradients : public Probe {
public:
  void afterMethods(Event e, const TrainState& s) override {
    if (e != Event::BeforeOptimizerStep) return;
    for (const torch::Tensor& p : runtime::optimizedParameters(s.optimizer)) {
      if (p.dim() < 2 || !p.grad().defined()) continue;
      torch::Tensor g = p.grad().flatten(1);
      const double mean = g.mean(1).abs().max().item<double>();
      const double scale = g.abs().max().item<double>();
      expect(mean <= 1e-4 * scale + 1e-12, "step " + std::to_string(s.step) +
                                               ": a gradient row has mean " + std::to_string(mean) +
                                               " (largest entry " + std::to_string(scale) + ")");
    }
  }
};

// SAM: each step takes a second gradient (at the perturbed weights) and
// the optimizer starts from the unperturbed weights. efficient_sam does so
// on every k-th step only.
class SecondGradient : public Probe {
public:
  explicit SecondGradient(int64_t every) : every_(every) {}
  void afterMethods(Event e, const TrainState& s) override {
    if (e == Event::BatchStart) passesBefore_ = s.gradientEvaluations;
    if (e != Event::BeforeOptimizerStep) return;
    const int64_t passes = s.gradientEvaluations - passesBefore_;
    const int64_t expected = s.step % every_ == 0 ? 2 : 1;
    expect(passes == expected, "step " + std::to_string(s.step) + " took " +
                                   std::to_string(passes) + " gradients, expected " +
                                   std::to_string(expected));
    bool restored = weights_.size() == s.model->parameters().size();
    for (size_t i = 0; restored && i < weights_.size(); ++i)
      restored = torch::allclose(weights_[i], s.model->parameters()[i], 1e-5, 1e-6);
    expect(restored, "the optimizer steps from perturbed weights");
  }
  void beforeMethods(Event e, const TrainState& s) override {
    if (e != Event::BeforeOptimizerStep) return;
    weights_.clear();
    for (const torch::Tensor& p : s.model->parameters())
      weights_.push_back(p.detach().clone());
  }

private:
  int64_t every_;
  int64_t passesBefore_ = 0;
  std::vector<torch::Tensor> weights_;
};

// Sign compression: each gradient the backward pass leaves is one scale
// times signs (every entry has the same magnitude).
class SignGradients : public Probe {
public:
  void afterMethods(Event e, const TrainState& s) override {
    if (e != Event::AfterBackward) return;
    for (const torch::Tensor& p : runtime::optimizedParameters(s.optimizer)) {
      if (!p.grad().defined()) continue;
      torch::Tensor magnitude = p.grad().abs();
      const double spread = (magnitude.max() - magnitude.min()).item<double>();
      expect(spread <= 1e-6 * magnitude.max().item<double>() + 1e-12,
             "step " + std::to_string(s.step) + ": a gradient is not a scaled sign");
    }
  }
};

// PowerSGD: each weight-matrix gradient the backward pass leaves has rank
// at most `rank` (seen as out x fan_in).
class LowRankGradients : public Probe {
public:
  explicit LowRankGradients(int64_t rank) : rank_(rank) {}
  void afterMethods(Event e, const TrainState& s) override {
    if (e != Event::AfterBackward) return;
    for (const torch::Tensor& p : runtime::optimizedParameters(s.optimizer)) {
      if (p.dim() < 2 || !p.grad().defined()) continue;
      torch::Tensor m = p.grad().flatten(1).to(torch::kFloat64);
      if (std::min(m.size(0), m.size(1)) <= rank_) continue;
      torch::Tensor singular = at::linalg_svdvals(m);
      const double top = singular[0].item<double>();
      expect(singular[rank_].item<double>() <= 1e-6 * top + 1e-12,
             "step " + std::to_string(s.step) + ": a gradient has rank above " +
                 std::to_string(rank_));
    }
  }

private:
  int64_t rank_;
};

} // namespace

std::unique_ptr<Probe> signProbe(const plan::Plan&) {
  return std::make_unique<SignGradients>();
}
std::unique_ptr<Probe> lowRankProbe(const plan::Plan& p) {
  return std::make_unique<LowRankGradients>(std::llround(methodArgument(p, "powersgd", "rank")));
}
std::unique_ptr<Probe> boundedNormProbe(const plan::Plan& p) {
  return std::make_unique<BoundedNorm>(methodArgument(p, "gradient_clipping", "max_norm"));
}
std::unique_ptr<Probe> centredGradientsProbe(const plan::Plan&) {
  return std::make_unique<CentredGradients>();
}
std::unique_ptr<Probe> samProbe(const plan::Plan&) {
  return std::make_unique<SecondGradient>(1);
}
std::unique_ptr<Probe> efficientSamProbe(const plan::Plan& p) {
  return std::make_unique<SecondGradient>(std::llround(methodArgument(p, "efficient_sam", "k")));
}

} // namespace fiver::composition
