// flip_tta's runtime hook: its factory from the plan's resolved arguments.
#include "methods/flip_tta/Hook.h"
#include "runtime/methods/HookRegistry.h"

namespace fiver::runtime {

namespace {
const HookRegistrar kHook("flip_tta",
                          [](const MethodArgs&) { return std::make_unique<FlipTta>(); });
} // namespace

} // namespace fiver::runtime
