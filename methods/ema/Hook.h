// The runtime hook of ema: a pure function (usable and testable alone)
// plus the Method that calls it on its events.
#pragma once

#include "runtime/train/Method.h"

#include <map>
#include <string>
#include <vector>

namespace fiver::runtime {

// --- ema: an exponential moving average of the weights, used at evaluation ---
void emaUpdate(std::vector<torch::Tensor>& shadow, const std::vector<torch::Tensor>& live,
               double decay);

class Ema : public Method {
public:
  explicit Ema(double halfLifeSteps);
  bool match(Event e, const TrainState&) const override {
    return e == Event::FitStart || e == Event::AfterOptimizerStep || e == Event::EvalStart ||
           e == Event::EvalEnd;
  }
  void apply(Event e, TrainState& s) override;
  void saveState(MethodState& out) const override;
  void loadState(const MethodState& in) override;
  double decay() const { return decay_; }
  const std::vector<torch::Tensor>& shadow() const { return shadow_; }

private:
  void swap(PlanModel& model);
  double decay_;
  std::vector<torch::Tensor> shadow_;
};

} // namespace fiver::runtime
