// lamb's runtime hook: the method builds the lamb optimizer for the trainer.
#include "runtime/methods/HookRegistry.h"
#include "runtime/methods/ReplacedOptimizer.h"
#include "runtime/optim/TrainingOptimizer.h"

namespace fiver::runtime {

namespace {
const HookRegistrar kHook("lamb", [](const MethodArgs& args) {
  return std::make_unique<ReplacedOptimizer>(args.method(), makeLambOptimizer);
});
} // namespace

} // namespace fiver::runtime
