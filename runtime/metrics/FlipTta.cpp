#include "runtime/metrics/FlipTta.h"

#include <stdexcept>

namespace fiver::runtime {

TestTimeAugmentation parseTestTimeAugmentation(const std::string& name) {
  if (name == "none" || name.empty()) return TestTimeAugmentation::None;
  if (name == "flip") return TestTimeAugmentation::Flip;
  throw std::invalid_argument("unknown test-time augmentation '" + name +
                              "' (expected none or flip)");
}

torch::Tensor evaluationLogits(PlanModel& model, const torch::Tensor& images,
                               TestTimeAugmentation tta) {
  torch::Tensor logits = model->forward(images);
  if (tta != TestTimeAugmentation::Flip || images.dim() != 4) return logits;
  // Width is the last dimension in NCHW, channels-last strides included.
  return (logits + model->forward(images.flip({3}))) / 2;
}

} // namespace fiver::runtime
