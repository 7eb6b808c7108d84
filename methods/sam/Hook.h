// The runtime hook of sam: a pure function (usable and testable alone)
// plus the Method that calls it on its events.
#pragma once

#include "runtime/methods/OptimizedParameters.h"
#include "runtime/train/Method.h"

#include <map>
#include <string>
#include <vector>

namespace fiver::runtime {

// --- sam / efficient_sam: a second gradient at the worst nearby point ---
// The ascent step e = rho * g / ||g|| (adaptive: rho * w^2 * g / ||w * g||),
// one tensor per parameter (zero where there is no gradient).
std::vector<torch::Tensor> samPerturbation(const std::vector<torch::Tensor>& params, double rho,
                                           bool adaptive);

class Sam : public Method {
public:
  Sam(double rho, bool adaptive) : rho_(rho), adaptive_(adaptive) {}
  // After data parallelism would have averaged the first gradient.
  bool match(Event e, const TrainState&) const override {
    return e == Event::FitStart || e == Event::BeforeOptimizerStep;
  }
  void apply(Event e, TrainState& s) override;
  int64_t perturbedSteps() const { return perturbedSteps_; }

private:
  double rho_;
  bool adaptive_;
  int64_t perturbedSteps_ = 0;
};

// Every k-th step a full SAM step stores the part of the perturbed gradient
// orthogonal to the plain one; the steps between add it back, scaled by
// alpha * ||g|| / ||stored||, without a second pass.
class EfficientSam : public Method {
public:
  EfficientSam(double rho, int64_t k, double alpha);
  bool match(Event e, const TrainState&) const override {
    return e == Event::FitStart || e == Event::BeforeOptimizerStep;
  }
  void apply(Event e, TrainState& s) override;
  void saveState(MethodState& out) const override;
  void loadState(const MethodState& in) override;
  int64_t perturbedSteps() const { return perturbedSteps_; }
  int64_t reusedSteps() const { return reusedSteps_; }

private:
  double rho_;
  int64_t k_;
  double alpha_;
  int64_t perturbedSteps_ = 0, reusedSteps_ = 0;
  std::vector<torch::Tensor> sharpness_; // the stored orthogonal component
};

} // namespace fiver::runtime
