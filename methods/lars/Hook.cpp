// lars's runtime hook: its factory from the plan's resolved arguments.
#include "runtime/methods/HookRegistry.h"
#include "runtime/methods/ReplacedOptimizer.h"

namespace fiver::runtime {

namespace {
const HookRegistrar kHook("lars", [](const MethodArgs&) {
  return std::make_unique<ReplacedOptimizer>("lars");
});
} // namespace

} // namespace fiver::runtime
