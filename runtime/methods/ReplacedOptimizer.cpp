#include "runtime/methods/ReplacedOptimizer.h"

#include "runtime/optim/Lamb.h"
#include "runtime/optim/Lars.h"

#include <stdexcept>

namespace fiver::runtime {

void ReplacedOptimizer::apply(Event, TrainState& s) {
  const bool installed = hook_ == "lamb"   ? dynamic_cast<Lamb*>(&s.optimizer) != nullptr
                         : hook_ == "lars" ? dynamic_cast<Lars*>(&s.optimizer) != nullptr
                                           : false;
  if (!installed)
    throw std::runtime_error(hook_ + ": the trainer is not training with the " + hook_ +
                             " optimizer (it must be built by makeTrainingOptimizer)");
}

} // namespace fiver::runtime
