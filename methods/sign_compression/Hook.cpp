// sign_compression's runtime hook: its factory from the plan's resolved arguments.
#include "runtime/distributed/GradientCompression.h"
#include "runtime/methods/HookRegistry.h"

namespace fiver::runtime {

namespace {
const HookRegistrar kHook("sign_compression", [](const MethodArgs& args) {
  return std::make_unique<distributed::SignCompression>(args.stepOrFraction("start"));
});
} // namespace

} // namespace fiver::runtime
