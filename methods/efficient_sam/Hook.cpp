// efficient_sam's runtime hook: its factory from the plan's resolved arguments.
#include "methods/sam/Hook.h"
#include "runtime/methods/HookRegistry.h"

namespace fiver::runtime {

namespace {
const HookRegistrar kHook("efficient_sam", [](const MethodArgs& args) {
  return std::make_unique<EfficientSam>(args.number("rho"), args.integer("k"),
                                        args.number("alpha"));
});
} // namespace

} // namespace fiver::runtime
