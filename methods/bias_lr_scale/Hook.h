// The runtime hook of bias_lr_scale: which parameters are biases, and moving
// them into param groups of their own whose rate follows the others' (both
// usable and testable alone), plus the Method that calls them.
#pragma once

#include "runtime/train/Method.h"

#include <optional>
#include <vector>

namespace fiver::runtime {

// The layers' biases: the 1-D parameters whose name ends in "bias" (conv,
// linear, batch-norm, layer-norm and attention biases, and those of fused
// ops, named like "bn_bias"). Batch-norm scales, embeddings and weights are
// not biases.
std::vector<torch::Tensor> biasParameters(PlanModel& model);

// Where separateBiases put the biases: `scaled` are the groups that hold
// only biases; `reference` holds none, and its rate is the schedule's.
struct BiasGroups {
  std::vector<size_t> scaled;
  size_t reference = 0;
};

// Moves `biases` out of each group of `opt` that holds them into a new group
// (appended) whose options are a copy of that group's, with the weight decay
// divided by `scale` so that rate x decay stays as it was; a group that holds
// only biases becomes a scaled group itself. Per-parameter state is keyed by
// the tensor, so it follows the parameter. The layout depends only on the
// groups and the biases, so a resumed run, which loads the optimizer's state
// after FIT_START, finds the layout it saved. Throws when no group is left
// without biases (nothing to take the rate from).
BiasGroups separateBiases(torch::optim::Optimizer& opt, const std::vector<torch::Tensor>& biases,
                          double scale);

// Sets each scaled group's rate to `scale` x the reference group's.
void scaleBiasRates(torch::optim::Optimizer& opt, const BiasGroups& groups, double scale);

class BiasLrScale : public Method {
public:
  explicit BiasLrScale(double scale);
  // BEFORE_OPTIMIZER_STEP comes after the trainer and the schedule methods
  // have set this step's rate in every group.
  bool match(Event e, const TrainState&) const override {
    return e == Event::FitStart || e == Event::BeforeOptimizerStep;
  }
  void apply(Event e, TrainState& s) override;

private:
  double scale_;
  std::optional<BiasGroups> groups_;
};

} // namespace fiver::runtime
