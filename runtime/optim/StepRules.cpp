#include "runtime/optim/StepRules.h"

#include <cmath>

namespace fiver::runtime {

void sgdMomentumStep(torch::Tensor& p, const torch::Tensor& grad, torch::Tensor& buf,
                     double momentum, bool nesterov, double weightDecay, double lr) {
  const torch::Tensor g = weightDecay != 0 ? grad.add(p, weightDecay) : grad;
  buf.mul_(momentum).add_(g);
  p.add_(nesterov ? g.add(buf, momentum) : buf, -lr);
}

void adamwStep(torch::Tensor& p, const torch::Tensor& grad, torch::Tensor& expAvg,
               torch::Tensor& expAvgSq, int64_t step, double beta1, double beta2, double eps,
               double weightDecay, double lr) {
  const auto t = static_cast<double>(step);
  if (weightDecay != 0) p.mul_(1 - lr * weightDecay);
  expAvg.lerp_(grad, 1 - beta1);
  expAvgSq.mul_(beta2).addcmul_(grad, grad, 1 - beta2);
  const double correction1 = 1 - std::pow(beta1, t);
  const double correction2 = 1 - std::pow(beta2, t);
  const torch::Tensor denom = (expAvgSq.sqrt() / std::sqrt(correction2)).add_(eps);
  p.addcdiv_(expAvg, denom, -lr / correction1);
}

} // namespace fiver::runtime
