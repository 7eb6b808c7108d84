// The per-parameter update rules of SGD with momentum and of AdamW, on fp32
// tensors updated in place, for the optimizers that keep their state their own
// way (Muon for the parameters it leaves to the recipe's rule, the 16-bit
// state optimizer). Each matches torch::optim's step exactly.
#pragma once

#include <torch/torch.h>

namespace fiver::runtime {

// torch::optim::SGD without dampening: weight decay added to the gradient,
// buf = momentum buf + g, p -= lr (g + momentum buf) with nesterov, else lr buf.
void sgdMomentumStep(torch::Tensor& p, const torch::Tensor& grad, torch::Tensor& buf,
                     double momentum, bool nesterov, double weightDecay, double lr);

// torch::optim::AdamW at 1-based step `step`: decoupled decay p *= 1 - lr wd,
// bias-corrected moments, eps added to the corrected root.
void adamwStep(torch::Tensor& p, const torch::Tensor& grad, torch::Tensor& expAvg,
               torch::Tensor& expAvgSq, int64_t step, double beta1, double beta2, double eps,
               double weightDecay, double lr);

} // namespace fiver::runtime
