#include "methods/augmentation_multiplicity/Hook.h"
#include "runtime/data/BatchLoader.h"
#include "runtime/methods/HookRegistry.h"

#include <stdexcept>

namespace fiver::runtime {

torch::Tensor RepeatSampler::next(int64_t count) {
  if (grow_) return base_->next(count).repeat_interleave(copies_);
  torch::Tensor repeated = base_->next((count + copies_ - 1) / copies_).repeat_interleave(copies_);
  return repeated.narrow(0, 0, std::min(count, repeated.size(0)));
}

// The batch size the loader asks for stays the plan's (or batch_size_warmup's):
// the sampler decides how many distinct examples fill it.
void AugmentationMultiplicity::apply(Event, TrainState& s) {
  if (copies_ < 1)
    throw std::runtime_error("method 'augmentation_multiplicity': copies must be at least 1");
  BatchLoader& loader = loaderOf(s, "augmentation_multiplicity");
  loader.setSampler(
      std::make_unique<RepeatSampler>(loader.takeSampler(), copies_, !keepBatchSize_));
}

namespace {
const HookRegistrar kHook("augmentation_multiplicity", [](const MethodArgs& args) {
  return std::make_unique<AugmentationMultiplicity>(args.integer("copies"),
                                                    args.flag("keep_batch_size"));
});
} // namespace

} // namespace fiver::runtime
