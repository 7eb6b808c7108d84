// The runtime side of the algorithm-side stdlib methods (gradients, optimizer
// wrappers, learning-rate shaping, initialisation): each a pure function
// (usable and testable alone) plus a Method that calls it on its events.
#pragma once

#include "runtime/methods/OptimizedParameters.h"
#include "runtime/train/Method.h"

#include <map>
#include <string>
#include <vector>

namespace fiver::runtime {

// --- gradient_clipping: bounds the gradients before the optimizer step ---
// Rescales all gradients together when their global L2 norm exceeds maxNorm;
// returns the norm before clipping.
double clipGradientNorm(const std::vector<torch::Tensor>& params, double maxNorm);
// AGC: each output unit's gradient is rescaled to at most clipRatio times the
// norm of that unit's weights (weights' norms floored at eps).
void clipGradientsAdaptive(const std::vector<torch::Tensor>& params, double clipRatio,
                           double eps = 1e-3);
void clipGradientValues(const std::vector<torch::Tensor>& params, double maxValue);

class GradientClipping : public Method {
public:
  // mode: norm, adaptive or value.
  GradientClipping(std::string mode, double maxNorm, double clipRatio);
  // After data parallelism has averaged the gradients (AFTER_BACKWARD).
  bool match(Event e, const TrainState&) const override { return e == Event::BeforeOptimizerStep; }
  void apply(Event e, TrainState& s) override;
  size_t clippedSteps() const { return clippedSteps_; } // steps where clipping acted

private:
  std::string mode_;
  double maxNorm_, clipRatio_;
  size_t clippedSteps_ = 0;
};

// --- gradient_centralization: weight gradients with zero mean per output unit ---
// Conv weights (dim > 2) always; linear weights (dim 2) when includeLinear.
void centralizeGradients(const std::vector<torch::Tensor>& params, bool includeLinear);

class GradientCentralization : public Method {
public:
  explicit GradientCentralization(bool includeLinear) : includeLinear_(includeLinear) {}
  bool match(Event e, const TrainState&) const override { return e == Event::BeforeOptimizerStep; }
  void apply(Event e, TrainState& s) override;

private:
  bool includeLinear_;
};

// --- lookahead: slow weights pulled towards the fast ones every k steps ---
// slow += alpha * (fast - slow); fast = slow.
void lookaheadSync(std::vector<torch::Tensor>& slow, const std::vector<torch::Tensor>& fast,
                   double alpha);

class Lookahead : public Method {
public:
  Lookahead(int64_t k, double alpha);
  bool match(Event e, const TrainState&) const override {
    return e == Event::FitStart || e == Event::AfterOptimizerStep;
  }
  void apply(Event e, TrainState& s) override;
  void saveState(MethodState& out) const override;
  void loadState(const MethodState& in) override;
  int64_t syncCount() const { return syncs_; }

private:
  int64_t k_;
  double alpha_;
  int64_t fastSteps_ = 0; // fast steps since the last sync
  int64_t syncs_ = 0;
  std::vector<torch::Tensor> slow_;
};

// --- warmup: the scheduled rate times a factor ramping from `from` to 1 ---
// shape: linear, or cosine (a half-cosine ramp). 1 from `length` on.
double warmupFactor(int64_t step, int64_t length, double from, const std::string& shape);

class Warmup : public Method {
public:
  Warmup(int64_t lengthSteps, double from, std::string shape);
  // After the trainer has set the scheduled rate for the step.
  bool match(Event e, const TrainState&) const override { return e == Event::BeforeForward; }
  void apply(Event e, TrainState& s) override;

private:
  int64_t length_;
  double from_;
  std::string shape_;
};

// --- cyclic_lr: triangular cycles between peak / divFactor and peak ---
// mode: triangular (constant amplitude), triangular2 (halved every cycle),
// exp_range (amplitude decays continuously, halving once per cycle).
double cyclicLearningRate(int64_t step, double peak, double divFactor, int64_t cycleSteps,
                          const std::string& mode);

class CyclicLr : public Method {
public:
  CyclicLr(double peak, double divFactor, int64_t cycleSteps, std::string mode);
  bool match(Event e, const TrainState&) const override { return e == Event::BeforeForward; }
  void apply(Event e, TrainState& s) override;

private:
  double peak_, divFactor_;
  int64_t cycle_;
  std::string mode_;
};

// --- kaiming_init / orthogonal_init: replace the initial weights ---
// mode: fan_in or fan_out; distribution: normal or uniform. With
// zeroInitResidual the last batch norm of every residual branch gets scale 0.
void kaimingInitialize(PlanModel& model, const std::string& mode, const std::string& distribution,
                       bool zeroInitResidual);
void orthogonalInitialize(PlanModel& model, double gain);
// Names of the batch-norm ops that end a residual branch (walking back from an
// add through ops whose output has no other consumer).
std::vector<std::string> residualBranchEndNorms(const std::vector<plan::Op>& ops);

class KaimingInit : public Method {
public:
  KaimingInit(std::string mode, std::string distribution, bool zeroInitResidual);
  bool match(Event e, const TrainState&) const override { return e == Event::Init; }
  void apply(Event e, TrainState& s) override;

private:
  std::string mode_, distribution_;
  bool zeroInitResidual_;
};

class OrthogonalInit : public Method {
public:
  explicit OrthogonalInit(double gain) : gain_(gain) {}
  bool match(Event e, const TrainState&) const override { return e == Event::Init; }
  void apply(Event e, TrainState& s) override;

private:
  double gain_;
};

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

// --- gradual_magnitude_pruning: cubic sparsity ramp, masks kept after steps ---
// Zhu and Gupta: final * (1 - (1 - progress)^3), progress from startStep to endStep.
double prunedFraction(int64_t stepsDone, int64_t startStep, int64_t endStep, double finalSparsity);
// A 0/1 mask that zeroes the `fraction` smallest-magnitude entries of `weight`.
torch::Tensor magnitudeMask(const torch::Tensor& weight, double fraction);

class GradualMagnitudePruning : public Method {
public:
  GradualMagnitudePruning(double finalSparsity, int64_t startStep, int64_t endStep,
                          int64_t frequency);
  bool match(Event e, const TrainState&) const override { return e == Event::AfterOptimizerStep; }
  void apply(Event e, TrainState& s) override;
  void saveState(MethodState& out) const override;
  void loadState(const MethodState& in) override;
  double currentSparsity() const { return sparsity_; } // the target last applied

private:
  double final_;
  int64_t start_, end_, frequency_;
  double sparsity_ = 0;
  std::map<std::string, torch::Tensor> masks_; // by op name, conv and linear weights
};

} // namespace fiver::runtime
