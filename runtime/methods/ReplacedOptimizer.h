// The hook of the methods that replace the optimizer.
#pragma once

#include "runtime/train/Method.h"

#include <memory>

namespace fiver::runtime {

// lamb, lars: the method builds its optimizer when the trainer asks
// (Method::replaceOptimizer, with the builders of runtime/optim/
// TrainingOptimizer.h) and checks at FIT_START that it is the one training,
// so a trainer that built another one fails instead of silently training
// with the recipe's optimizer.
class ReplacedOptimizer : public Method {
public:
  using Builder = std::unique_ptr<torch::optim::Optimizer> (*)(const plan::Method&,
                                                               const plan::Plan&, PlanModel&);
  ReplacedOptimizer(plan::Method method, Builder build)
      : method_(std::move(method)), build_(build) {}
  bool match(Event e, const TrainState&) const override { return e == Event::FitStart; }
  void apply(Event e, TrainState& s) override;
  std::unique_ptr<torch::optim::Optimizer> replaceOptimizer(const plan::Plan& p,
                                                            PlanModel& model) override;

private:
  plan::Method method_;
  Builder build_;
  const torch::optim::Optimizer* built_ = nullptr;
};

} // namespace fiver::runtime
