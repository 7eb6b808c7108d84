// The runtime hook of muon: the optimizer builder (usable and testable alone)
// that the replaced-optimizer hook calls when the trainer asks.
#pragma once

#include "runtime/train/Method.h"

namespace fiver::runtime {

// The model's hidden matrices, which Muon orthogonalizes: every parameter of
// two or more dimensions except those of embeddings and of the output layer
// (the last linear), which stay with the recipe's optimizer, as in the
// speed runs.
std::vector<torch::Tensor> hiddenMatrices(PlanModel& model);

// Muon over hiddenMatrices at the method's `lr`, the rest with the recipe's
// optimizer rule (SGD with its momentum and nesterov, or AdamW) and rate;
// the schedule scales both alike. Weight decay, when the recipe sets one,
// applies to the rest's conv and linear weights as the recipe's optimizer
// applies it; the orthogonalized matrices take none.
std::unique_ptr<torch::optim::Optimizer> makeMuonOptimizer(const plan::Method& m,
                                                           const plan::Plan& p, PlanModel& model);

} // namespace fiver::runtime
