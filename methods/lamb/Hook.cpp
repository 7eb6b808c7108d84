// lamb's runtime hook: its factory from the plan's resolved arguments.
#include "runtime/methods/HookRegistry.h"
#include "runtime/methods/ReplacedOptimizer.h"

namespace fiver::runtime {

namespace {
const HookRegistrar kHook("lamb", [](const MethodArgs&) {
  return std::make_unique<ReplacedOptimizer>("lamb");
});
} // namespace

} // namespace fiver::runtime
