#include "runtime/metrics/FlipTta.h"

#include <stdexcept>

namespace fiver::runtime {

TestTimeAugmentation parseTestTimeAugmentation(const std::string& name) {
  if (name == "none" || name.empty()) return TestTimeAugmentation::None;
  if (name == "flip") return TestTimeAugmentation::Flip;
  throw std::invalid_argument("unknown test-time augmentation '" + name +
                              "' (expected none or flip)");
}

TestTimeAugmentation parseTestTimeAugmentation(const std::string& name, const plan::Task& task) {
  TestTimeAugmentation tta = parseTestTimeAugmentation(name);
  if (tta == TestTimeAugmentation::Flip && task.inputShape.size() != 3)
    throw std::invalid_argument("test-time augmentation 'flip' mirrors images, but task dataset '" +
                                task.dataset + "' gives token sequences");
  return tta;
}

torch::Tensor evaluationLogits(PlanModel& model, const torch::Tensor& images,
                               TestTimeAugmentation tta) {
  if (tta == TestTimeAugmentation::Flip && !images.is_floating_point())
    throw std::invalid_argument("test-time augmentation 'flip' mirrors images, not token ids");
  torch::Tensor logits = model->forward(images);
  if (tta != TestTimeAugmentation::Flip || images.dim() != 4) return logits;
  // Width is the last dimension in NCHW, channels-last strides included.
  return (logits + model->forward(images.flip({3}))) / 2;
}

} // namespace fiver::runtime
