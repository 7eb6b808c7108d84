#include "runtime/optim/TrainingOptimizer.h"

#include "runtime/optim/Lamb.h"
#include "runtime/optim/Lars.h"
#include "runtime/optim/Optimizer.h"

namespace fiver::runtime {

namespace {

// Conv and linear weights are adapted and decayed; 1-D tensors (biases,
// batch-norm scales and shifts) are not, as in both papers.
template <typename OptimizerType, typename Options>
std::unique_ptr<torch::optim::Optimizer> build(PlanModel& model, const Options& adapted,
                                               bool excludeBnBias) {
  std::vector<torch::Tensor> weights, others;
  for (const auto& p : model->named_parameters())
    (excludeBnBias && p.value().dim() <= 1 ? others : weights).push_back(p.value());
  Options plain = adapted;
  plain.adapt(false).weight_decay(0);
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(weights, std::make_unique<Options>(adapted));
  if (!others.empty()) groups.emplace_back(others, std::make_unique<Options>(plain));
  return std::make_unique<OptimizerType>(std::move(groups), adapted);
}

} // namespace

std::unique_ptr<torch::optim::Optimizer>
makeTrainingOptimizer(const plan::Plan& p, PlanModel& model,
                      const std::vector<std::unique_ptr<Method>>& methods, bool fused) {
  for (const auto& m : methods)
    if (auto replaced = m->replaceOptimizer(p, model)) return replaced;
  return makeOptimizer(p.optimizer, model, fused);
}

std::unique_ptr<torch::optim::Optimizer> makeLambOptimizer(const plan::Method& m,
                                                           const plan::Plan& p, PlanModel& model) {
  LambOptions o(peakLearningRate(p.optimizer));
  o.beta1(plan::getNumber(m.params, "beta1", 0.9))
      .beta2(plan::getNumber(m.params, "beta2", 0.999))
      .eps(plan::getNumber(m.params, "eps", 1e-6))
      .weight_decay(plan::getNumber(m.params, "weight_decay", 0.01));
  return build<Lamb>(model, o, true);
}

std::unique_ptr<torch::optim::Optimizer> makeLarsOptimizer(const plan::Method& m,
                                                           const plan::Plan& p, PlanModel& model) {
  LarsOptions o(peakLearningRate(p.optimizer));
  o.momentum(plan::getNumber(p.optimizer.params, "momentum", 0.9))
      .weight_decay(plan::getNumber(p.optimizer.params, "weight_decay", 0))
      .trust_coefficient(plan::getNumber(m.params, "trust_coefficient", 0.001))
      .eps(plan::getNumber(m.params, "eps", 1e-8));
  const bool exclude = plan::getNumber(m.params, "exclude_bn_bias", 1) != 0;
  return build<Lars>(model, o, exclude);
}

} // namespace fiver::runtime
