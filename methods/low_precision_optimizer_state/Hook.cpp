// low_precision_optimizer_state's runtime hook: the method builds the
// recipe's optimizer with 16-bit state and reports the state's bytes.
#include "runtime/methods/HookRegistry.h"
#include "runtime/methods/ReplacedOptimizer.h"
#include "runtime/optim/CompactStateOptimizer.h"
#include "runtime/optim/Optimizer.h"

#include <stdexcept>

namespace fiver::runtime {

namespace {

torch::ScalarType stateDtype(const std::string& name) {
  if (name == "bf16") return torch::kBFloat16;
  if (name == "fp16") return torch::kFloat16;
  throw std::runtime_error("method 'low_precision_optimizer_state': unknown dtype '" + name +
                           "' (bf16 or fp16)");
}

// The recipe's optimizer (SGD with momentum or AdamW, its hyperparameters,
// no weight decay on 1-D parameters as makeOptimizer) with 16-bit state.
std::unique_ptr<torch::optim::Optimizer>
makeCompactStateOptimizer(const plan::Method& m, const plan::Plan& p, PlanModel& model) {
  const plan::Call& o = p.optimizer;
  CompactStateOptions options(peakLearningRate(o));
  options.state_dtype(static_cast<int64_t>(stateDtype(plan::getString(m.params, "dtype", "bf16"))))
      .stochastic_rounding(plan::getNumber(m.params, "stochastic_rounding", 0) != 0)
      .weight_decay(plan::getNumber(o.params, "weight_decay", 0));
  if (o.kind == "sgd") {
    options.momentum(plan::getNumber(o.params, "momentum", 0.9))
        .nesterov(plan::getNumber(o.params, "nesterov", 1) != 0);
  } else if (o.kind == "adamw") {
    options.adamw(true)
        .beta1(plan::getNumber(o.params, "beta1", 0.9))
        .beta2(plan::getNumber(o.params, "beta2", 0.999))
        .eps(plan::getNumber(o.params, "eps", 1e-8));
  } else {
    throw std::runtime_error("low_precision_optimizer_state: unknown optimizer '" + o.kind + "'");
  }
  std::vector<torch::Tensor> decay, noDecay;
  for (const torch::Tensor& t : model->parameters())
    (t.dim() <= 1 ? noDecay : decay).push_back(t);
  CompactStateOptions plain = options;
  plain.weight_decay(0);
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(decay, std::make_unique<CompactStateOptions>(options));
  if (!noDecay.empty()) groups.emplace_back(noDecay, std::make_unique<CompactStateOptions>(plain));
  return std::make_unique<CompactStateOptimizer>(std::move(groups), options);
}

// Also puts the state's size, stored and as fp32 would hold it, in the
// run's findings (its log and summary).
class LowPrecisionOptimizerState : public ReplacedOptimizer {
public:
  explicit LowPrecisionOptimizerState(const plan::Method& m)
      : ReplacedOptimizer(m, makeCompactStateOptimizer) {}
  void apply(Event e, TrainState& s) override {
    ReplacedOptimizer::apply(e, s);
    const StateBytes bytes = optimizerStateBytes(s.optimizer);
    s.findings["low_precision_optimizer_state.state_bytes"] = static_cast<double>(bytes.stored);
    s.findings["low_precision_optimizer_state.fp32_state_bytes"] = static_cast<double>(bytes.fp32);
  }
};

const HookRegistrar kHook("low_precision_optimizer_state", [](const MethodArgs& args) {
  return std::make_unique<LowPrecisionOptimizerState>(args.method());
});

} // namespace

} // namespace fiver::runtime
