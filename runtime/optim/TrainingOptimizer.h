// The optimizer a plan trains with: the recipe's `optimizer` setting, unless a
// method (lamb, lars) replaces it, taking the learning rate and the other
// shared hyperparameters from that setting and its own from the method.
#pragma once

#include "compiler/plan/Plan.h"
#include "runtime/model/PlanModel.h"

#include <torch/optim/optimizer.h>

#include <memory>

namespace fiver::runtime {

// `fused`: SGD and AdamW step through one fused kernel (see makeOptimizer).
std::unique_ptr<torch::optim::Optimizer> makeTrainingOptimizer(const plan::Plan& p,
                                                               PlanModel& model, bool fused = true);
// The plan method that replaces the optimizer ("lamb", "lars"), or "" for none.
std::string replacingOptimizerHook(const plan::Plan& p);

} // namespace fiver::runtime
