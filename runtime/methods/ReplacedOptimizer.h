// The hook of the methods that replace the optimizer.
#pragma once

#include "runtime/train/Method.h"

#include <string>

namespace fiver::runtime {

// lamb, lars: the trainer builds their optimizer (runtime/optim/
// TrainingOptimizer.h); the method checks at FIT_START that it is the one
// training, so a trainer that built another one fails instead of silently
// training with the recipe's optimizer.
class ReplacedOptimizer : public Method {
public:
  explicit ReplacedOptimizer(std::string hook) : hook_(std::move(hook)) {}
  bool match(Event e, const TrainState&) const override { return e == Event::FitStart; }
  void apply(Event e, TrainState& s) override;

private:
  std::string hook_;
};

} // namespace fiver::runtime
