#include "methods/batch_size_warmup/Hook.h"
#include "runtime/data/BatchLoader.h"
#include "runtime/methods/HookRegistry.h"

#include <cmath>

namespace fiver::runtime {

int64_t warmupBatchSize(int64_t batch, double from, int64_t untilStep, int64_t multiple,
                        int64_t step) {
  if (untilStep <= 0 || step >= untilStep) return batch;
  multiple = std::max<int64_t>(1, multiple);
  const double t = static_cast<double>(step) / static_cast<double>(untilStep);
  const double size = static_cast<double>(batch) * (from + (1 - from) * t);
  const int64_t rounded = std::llround(size / static_cast<double>(multiple)) * multiple;
  return std::clamp<int64_t>(rounded, std::min(multiple, batch), batch);
}

void BatchSizeWarmup::apply(Event e, TrainState& s) {
  const int64_t batch = s.plan.training.batchSize;
  if (e == Event::BeforeForward) { // linear scaling rule on the scheduled rate
    const double scale =
        static_cast<double>(warmupBatchSize(batch, from_, untilStep_, multiple_, s.step)) /
        static_cast<double>(batch);
    for (auto& group : s.optimizer.param_groups())
      group.options().set_lr(group.options().get_lr() * scale);
    return;
  }
  // BATCH_END comes before the step counter moves on: size the next step's batch.
  const int64_t nextStep = e == Event::FitStart ? s.step : s.step + 1;
  loaderOf(s, "batch_size_warmup")
      .setBatchSize(warmupBatchSize(batch, from_, untilStep_, multiple_, nextStep));
}

namespace {
const HookRegistrar kHook("batch_size_warmup", [](const MethodArgs& args) {
  return std::make_unique<BatchSizeWarmup>(args.number("from"), args.budgetStep("until"),
                                           args.integer("multiple"), args.flag("scale_lr"));
});
} // namespace

} // namespace fiver::runtime
