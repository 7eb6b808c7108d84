#include "runtime/optim/Optimizer.h"

#include "runtime/optim/FusedAdamW.h"
#include "runtime/optim/FusedSgd.h"

#include <stdexcept>

namespace fiver::runtime {

namespace {
// Weights of conv and linear layers decay; 1-D parameters (biases, batch-norm
// scales and shifts) do not.
void splitForDecay(PlanModel& model, std::vector<torch::Tensor>& decay,
                   std::vector<torch::Tensor>& noDecay) {
  for (const auto& p : model->named_parameters()) {
    if (p.value().dim() <= 1)
      noDecay.push_back(p.value());
    else
      decay.push_back(p.value());
  }
}
} // namespace

double peakLearningRate(const plan::Call& o) {
  return plan::getNumber(o.params, "lr", 0.1);
}

std::unique_ptr<torch::optim::Optimizer> makeOptimizer(const plan::Call& o, PlanModel& model,
                                                       bool fused) {
  std::vector<torch::Tensor> decay, noDecay;
  splitForDecay(model, decay, noDecay);
  const double lr = peakLearningRate(o);
  const double wd = plan::getNumber(o.params, "weight_decay", 0);
  if (o.kind == "sgd") {
    auto opts = [&](double decayValue) {
      return torch::optim::SGDOptions(lr)
          .momentum(plan::getNumber(o.params, "momentum", 0.9))
          .nesterov(plan::getNumber(o.params, "nesterov", 1) != 0)
          .weight_decay(decayValue);
    };
    std::vector<torch::optim::OptimizerParamGroup> groups;
    groups.emplace_back(decay, std::make_unique<torch::optim::SGDOptions>(opts(wd)));
    groups.emplace_back(noDecay, std::make_unique<torch::optim::SGDOptions>(opts(0)));
    if (fused) return std::make_unique<FusedSgd>(groups, opts(wd));
    return std::make_unique<torch::optim::SGD>(groups, opts(wd));
  }
  if (o.kind == "adamw") {
    auto opts = [&](double decayValue) {
      return torch::optim::AdamWOptions(lr)
          .betas(
              {plan::getNumber(o.params, "beta1", 0.9), plan::getNumber(o.params, "beta2", 0.999)})
          .eps(plan::getNumber(o.params, "eps", 1e-8))
          .weight_decay(decayValue);
    };
    std::vector<torch::optim::OptimizerParamGroup> groups;
    groups.emplace_back(decay, std::make_unique<torch::optim::AdamWOptions>(opts(wd)));
    groups.emplace_back(noDecay, std::make_unique<torch::optim::AdamWOptions>(opts(0)));
    if (fused) return std::make_unique<FusedAdamW>(groups, opts(wd));
    return std::make_unique<torch::optim::AdamW>(groups, opts(wd));
  }
  throw std::runtime_error("unknown optimizer '" + o.kind + "' in the plan (known: sgd, adamw)");
}

void setLearningRate(torch::optim::Optimizer& opt, double lr) {
  for (auto& group : opt.param_groups())
    group.options().set_lr(lr);
}

} // namespace fiver::runtime
