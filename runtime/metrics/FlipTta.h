// Test-time augmentation: at evaluation, the logits of each image and of its
// horizontal mirror are averaged, which removes the classifier's left-right
// bias on tasks whose labels do not depend on it (`--tta flip`); translation
// views (translate_tta) add the image shifted diagonally by a few pixels.
#pragma once

#include "runtime/model/PlanModel.h"

#include <torch/torch.h>

#include <string>

namespace fiver::runtime {

enum class TestTimeAugmentation { None, Flip };

// "none" or "flip"; throws std::invalid_argument on anything else.
TestTimeAugmentation parseTestTimeAugmentation(const std::string& name);
// The same for a run of `task`: flip also throws std::invalid_argument when
// the task's inputs are not images ([C, H, W]); token sequences have no mirror.
TestTimeAugmentation parseTestTimeAugmentation(const std::string& name, const plan::Task& task);

// The model's logits for NCHW `images`, averaged over their flips under `tta`.
// With `translatePixels` > 0 the result is half that, plus a quarter each of
// the same for the images shifted up-left and down-right by that many pixels
// (reflected at the border), as the CIFAR-10 speedruns evaluate.
// Token ids (integer inputs) are never flipped or shifted: both throw for them.
torch::Tensor evaluationLogits(PlanModel& model, const torch::Tensor& images,
                               TestTimeAugmentation tta, int64_t translatePixels = 0);
// Forward passes evaluationLogits makes for one batch.
int64_t evaluationViews(TestTimeAugmentation tta, int64_t translatePixels);

} // namespace fiver::runtime
