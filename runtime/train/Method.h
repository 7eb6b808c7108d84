// The interface every runtime method implements (Composer's habit): which
// events it acts on, and what it does there.
#pragma once

#include "runtime/train/Events.h"
#include "runtime/train/TrainState.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace fiver::runtime {

// What a method must carry across a checkpoint to continue exactly: named
// tensors (numbers as 0-d tensors).
using MethodState = std::map<std::string, torch::Tensor>;

class Method {
public:
  virtual ~Method() = default;
  virtual bool match(Event event, const TrainState& state) const = 0;
  virtual void apply(Event event, TrainState& state) = 0;

  // Checkpoints (runtime/train/Checkpoint.cpp). A method whose behaviour
  // depends on more than the plan, the step, the model, the optimizer and
  // the torch generator (an average it keeps, a count, a std RNG it owns)
  // saves that here, so that a resumed run continues bit-identically.
  //  - saveState: put each piece under a key of your choosing ("shadow.3",
  //    "count"); numbers as 0-d tensors. Tensors are copied to the CPU.
  //  - loadState: called once on resume, after FIT_START, with exactly the
  //    keys saved (never with an empty map); copy into your own tensors on
  //    their device. A missing key is a plan/checkpoint mismatch: throw.
  //  - State that is a function of the step needs nothing: layer_freezing's
  //    frozen set and progressive_resize's size are recomputed at their
  //    first event; mixup's and cutmix's draws come from the saved generator.
  // Stateless methods keep the defaults.
  virtual void saveState(MethodState& /*out*/) const {}
  virtual void loadState(const MethodState& /*in*/) {}

  // A method that trains with an optimizer of its own instead of the
  // recipe's builds it here (the trainer asks every method before building
  // the recipe's); null for the others.
  virtual std::unique_ptr<torch::optim::Optimizer> replaceOptimizer(const plan::Plan& /*p*/,
                                                                    PlanModel& /*model*/) {
    return nullptr;
  }
  // Whether the method combines the ranks' gradients itself (a gradient
  // compressor): data parallelism then neither overlaps nor repeats that
  // exchange.
  virtual bool reducesGradients() const { return false; }
};

// Builds the method that implements `hook` for the plan's method `m`; throws
// with the list of known hooks when there is none.
std::unique_ptr<Method> createMethod(const std::string& hook, const plan::Method& m,
                                     const plan::Plan& p);
std::vector<std::string> knownHooks();

} // namespace fiver::runtime
