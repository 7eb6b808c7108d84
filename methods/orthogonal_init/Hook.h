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

private:
  double gain_;
};

} // namespace fiver::runtime
