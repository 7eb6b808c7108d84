#include "runtime/data/BatchLoader.h"
#include "runtime/methods/DataMethods.h"

#include <stdexcept>

namespace fiver::runtime {

torch::Tensor RepeatSampler::next(int64_t count) {
  torch::Tensor unique = base_->next((count + copies_ - 1) / copies_);
  torch::Tensor repeated = unique.repeat_interleave(copies_);
  return repeated.narrow(0, 0, std::min(count, repeated.size(0)));
}

void AugmentationMultiplicity::apply(Event, TrainState& s) {
  if (copies_ < 1)
    throw std::runtime_error("method 'augmentation_multiplicity': copies must be at least 1");
  BatchLoader& loader = loaderOf(s, "augmentation_multiplicity");
  // Without keep_batch_size the batch grows so that it still holds batch_size examples.
  if (!keepBatchSize_) loader.setBatchSize(loader.batchSize() * copies_);
  loader.setSampler(std::make_unique<RepeatSampler>(loader.takeSampler(), copies_));
}

} // namespace fiver::runtime
