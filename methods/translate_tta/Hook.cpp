// translate_tta's runtime hook: its factory from the plan's resolved arguments.
#include "methods/translate_tta/Hook.h"
#include "runtime/methods/HookRegistry.h"

namespace fiver::runtime {

namespace {
const HookRegistrar kHook("translate_tta", [](const MethodArgs& args) {
  return std::make_unique<TranslateTta>(args.integer("pixels"));
});
} // namespace

} // namespace fiver::runtime
