// Passes register themselves: a method folder's Pass.cpp (and op_fusion
// here) holds one PassRegistrar. The pipeline order follows from each pass's
// runsAfter() alone: a topological order, ties broken by name, so a new pass
// states where it belongs in its own file.
#pragma once

#include "passes/Pass.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace fiver::passes {

using PassFactory = std::function<std::unique_ptr<Pass>()>;

struct PassRegistrar {
  explicit PassRegistrar(PassFactory factory);
};

// Every registered pass name, in pipeline order.
std::vector<std::string> registeredPasses();
// A new instance of the pass called `name`; null when there is none.
std::unique_ptr<Pass> createPass(const std::string& name);

} // namespace fiver::passes
