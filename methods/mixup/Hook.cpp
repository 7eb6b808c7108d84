#include "methods/mixup/Hook.h"
#include "runtime/methods/HookRegistry.h"

namespace fiver::runtime {

double sampleBeta(double alpha) {
  if (alpha <= 0) return 1.0; // Beta(0, 0) degenerates: no mixing
  // Beta(a, a) = G1 / (G1 + G2) with G ~ Gamma(a); torch's generator keeps runs seeded.
  torch::Tensor g = at::_standard_gamma(torch::full({2}, alpha, torch::kFloat64));
  double g1 = g[0].item<double>(), g2 = g[1].item<double>();
  return g1 + g2 > 0 ? g1 / (g1 + g2) : 0.5;
}

torch::Tensor mixTargets(const torch::Tensor& labels, const torch::Tensor& permutation,
                         int64_t classes, double lambda) {
  torch::Tensor onehot = torch::one_hot(labels, classes).to(torch::kFloat32);
  return onehot.mul(lambda).add_(onehot.index_select(0, permutation), 1 - lambda);
}

torch::Tensor mixupBatch(const torch::Tensor& images, const torch::Tensor& permutation,
                         double lambda) {
  return images.mul(lambda).add_(images.index_select(0, permutation), 1 - lambda);
}

void Mixup::apply(Event, TrainState& s) {
  lastLambda_ = sampleBeta(alpha_);
  torch::Tensor perm = torch::randperm(s.images.size(0), torch::kInt64).to(s.images.device());
  s.images = mixupBatch(s.images, perm, lastLambda_);
  s.targets = mixTargets(s.labels, perm, s.plan.task.classes, lastLambda_);
}

namespace {
const HookRegistrar kHook("mixup", [](const MethodArgs& args) {
  return std::make_unique<Mixup>(args.number("alpha"));
});
} // namespace

} // namespace fiver::runtime
