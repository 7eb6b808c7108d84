// The runtime hook of orthogonal_init: a pure function (usable and testable alone)
// plus the Method that calls it on its events.
#pragma once

#include "runtime/methods/OptimizedParameters.h"
#include "runtime/train/Method.h"

#include <map>
#include <string>
#include <vector>

namespace fiver::runtime {

// --- kaiming_init / orthogonal_init: replace the initial weights ---
// mode: fan_in or fan_out; distribution: normal or uniform. With
// zeroInitResidual the last batch norm of every residual branch gets scale 0.
void kaimingInitialize(PlanModel& model, const std::string& mode, const std::string& distribution,
                       bool zeroInitResidual);
void orthogonalInitialize(PlanModel& model, double gain);
// Names of the batch-norm ops that end a residual branch (walking back from an
// add through ops whose output has no other consumer).
std::vector<std::string> residualBranchEndNorms(const std::vector<plan::Op>& ops);

class OrthogonalInit : public Method {
public:
  explicit OrthogonalInit(double gain) : gain_(gain) {}
  bool match(Event e, const TrainState&) const override { return e == Event::Init; }
  void apply(Event e, TrainState& s) override;

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
