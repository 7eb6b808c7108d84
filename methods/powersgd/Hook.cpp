// powersgd's runtime hook: its factory from the plan's resolved arguments.
#include "runtime/distributed/GradientCompression.h"
#include "runtime/methods/HookRegistry.h"

namespace fiver::runtime {

namespace {
const HookRegistrar kHook("powersgd", [](const MethodArgs& args) {
  return std::make_unique<distributed::PowerSgd>(static_cast<int64_t>(args.number("rank")),
                                                 args.stepOrFraction("start"));
});
} // namespace

} // namespace fiver::runtime
