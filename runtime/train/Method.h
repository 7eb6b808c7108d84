// The interface every runtime method implements (Composer's habit): which
// events it acts on, and what it does there.
#pragma once

#include "runtime/train/Events.h"
#include "runtime/train/TrainState.h"

#include <memory>
#include <string>
#include <vector>

namespace fiver::runtime {

class Method {
public:
  virtual ~Method() = default;
  virtual bool match(Event event, const TrainState& state) const = 0;
  virtual void apply(Event event, TrainState& state) = 0;
};

// Builds the method that implements `hook` for the plan's method `m`; throws
// with the list of known hooks when there is none.
std::unique_ptr<Method> createMethod(const std::string& hook, const plan::Method& m,
                                     const plan::Plan& p);
std::vector<std::string> knownHooks();

} // namespace fiver::runtime
