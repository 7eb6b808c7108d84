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

  // Checkpoints. A method whose behaviour depends on more than the plan, the
  // step and the model (an average it keeps, a count) saves it here; a
  // resumed run calls loadState after FIT_START. Stateless methods keep the
  // defaults.
  virtual void saveState(MethodState& /*out*/) const {}
  virtual void loadState(const MethodState& /*in*/) {}
};

// Builds the method that implements `hook` for the plan's method `m`; throws
// with the list of known hooks when there is none.
std::unique_ptr<Method> createMethod(const std::string& hook, const plan::Method& m,
                                     const plan::Plan& p);
std::vector<std::string> knownHooks();

} // namespace fiver::runtime
