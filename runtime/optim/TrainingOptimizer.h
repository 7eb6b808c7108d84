// The optimizer a plan trains with: the recipe's `optimizer` setting, unless
// a method replaces it (Method::replaceOptimizer), taking the learning rate
// and the other shared hyperparameters from that setting and its own from
// the method.
#pragma once

#include "compiler/plan/Plan.h"
#include "runtime/model/PlanModel.h"
#include "runtime/train/Method.h"

#include <torch/optim/optimizer.h>

#include <memory>
#include <vector>

namespace fiver::runtime {

// `fused`: SGD and AdamW step through one fused kernel (see makeOptimizer).
std::unique_ptr<torch::optim::Optimizer>
makeTrainingOptimizer(const plan::Plan& p, PlanModel& model,
                      const std::vector<std::unique_ptr<Method>>& methods, bool fused = true);

// The layer-wise adaptive optimizers, built from the plan method `m` that
// replaces the recipe's optimizer with them.
std::unique_ptr<torch::optim::Optimizer> makeLambOptimizer(const plan::Method& m,
                                                           const plan::Plan& p, PlanModel& model);
std::unique_ptr<torch::optim::Optimizer> makeLarsOptimizer(const plan::Method& m,
                                                           const plan::Plan& p, PlanModel& model);

} // namespace fiver::runtime
