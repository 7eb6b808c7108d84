#include "runtime/metrics/FlipTta.h"

#include <algorithm>
#include <cstdlib>
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

namespace {

torch::Tensor mirroredLogits(PlanModel& model, const torch::Tensor& images,
                             TestTimeAugmentation tta) {
  torch::Tensor logits = model->forward(images);
  if (tta != TestTimeAugmentation::Flip || images.dim() != 4) return logits;
  // Width is the last dimension in NCHW, channels-last strides included.
  return (logits + model->forward(images.flip({3}))) / 2;
}

// `images` moved by `pixels` down and right (negative: up and left), the
// uncovered border filled by reflection.
torch::Tensor shifted(const torch::Tensor& images, int64_t pixels) {
  namespace F = torch::nn::functional;
  const int64_t p = std::abs(pixels), h = images.size(2), w = images.size(3);
  torch::Tensor padded = F::pad(images, F::PadFuncOptions({p, p, p, p}).mode(torch::kReflect));
  const int64_t from = pixels > 0 ? 0 : 2 * p;
  return padded.narrow(2, from, h).narrow(3, from, w).contiguous(images.suggest_memory_format());
}

} // namespace

torch::Tensor evaluationLogits(PlanModel& model, const torch::Tensor& images,
                               TestTimeAugmentation tta, int64_t translatePixels) {
  if ((tta == TestTimeAugmentation::Flip || translatePixels > 0) && !images.is_floating_point())
    throw std::invalid_argument("test-time augmentation mirrors or shifts images, not token ids");
  torch::Tensor logits = mirroredLogits(model, images, tta);
  if (translatePixels <= 0 || images.dim() != 4) return logits;
  const int64_t p = std::min({translatePixels, images.size(2) - 1, images.size(3) - 1});
  torch::Tensor moved = mirroredLogits(model, shifted(images, p), tta) +
                        mirroredLogits(model, shifted(images, -p), tta);
  return logits / 2 + moved / 4;
}

int64_t evaluationViews(TestTimeAugmentation tta, int64_t translatePixels) {
  return (tta == TestTimeAugmentation::Flip ? 2 : 1) * (translatePixels > 0 ? 3 : 1);
}

} // namespace fiver::runtime
