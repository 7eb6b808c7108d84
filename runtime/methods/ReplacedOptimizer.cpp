#include "runtime/methods/ReplacedOptimizer.h"

#include <stdexcept>

namespace fiver::runtime {

std::unique_ptr<torch::optim::Optimizer> ReplacedOptimizer::replaceOptimizer(const plan::Plan& p,
                                                                             PlanModel& model) {
  std::unique_ptr<torch::optim::Optimizer> built = build_(method_, p, model);
  built_ = built.get();
  return built;
}

void ReplacedOptimizer::apply(Event, TrainState& s) {
  if (!built_ || &s.optimizer != built_)
    throw std::runtime_error(method_.name + ": the trainer is not training with the " +
                             method_.name +
                             " optimizer (it must be built by makeTrainingOptimizer)");
}

} // namespace fiver::runtime
