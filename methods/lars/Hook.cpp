// lars's runtime hook: the method builds the lars optimizer for the trainer.
#include "runtime/methods/HookRegistry.h"
#include "runtime/methods/ReplacedOptimizer.h"
#include "runtime/optim/TrainingOptimizer.h"

namespace fiver::runtime {

namespace {
const HookRegistrar kHook("lars", [](const MethodArgs& args) {
  return std::make_unique<ReplacedOptimizer>(args.method(), makeLarsOptimizer);
});
} // namespace

} // namespace fiver::runtime
