// Builds the plan's optimizer over a model's parameters. Batch-norm and bias
// parameters get no weight decay (decaying them only hurts).
#pragma once

#include "compiler/plan/Plan.h"
#include "runtime/model/PlanModel.h"

#include <torch/torch.h>

#include <memory>

namespace fiver::runtime {

// `fused`: SGD and AdamW step through one fused kernel per parameter group
// (FusedSgd, FusedAdamW); same state and results as torch::optim's.
std::unique_ptr<torch::optim::Optimizer> makeOptimizer(const plan::Call& optimizer,
                                                       PlanModel& model, bool fused = true);
// The optimizer's configured learning rate (the schedule's peak).
double peakLearningRate(const plan::Call& optimizer);
void setLearningRate(torch::optim::Optimizer& opt, double lr);

} // namespace fiver::runtime
