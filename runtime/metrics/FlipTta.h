// Flip test-time augmentation: at evaluation, the logits of each image and of
// its horizontal mirror are averaged, which removes the classifier's left-right
// bias on tasks whose labels do not depend on it (`--tta flip`).
#pragma once

#include "runtime/model/PlanModel.h"

#include <torch/torch.h>

#include <string>

namespace fiver::runtime {

enum class TestTimeAugmentation { None, Flip };

// "none" or "flip"; throws std::invalid_argument on anything else.
TestTimeAugmentation parseTestTimeAugmentation(const std::string& name);

// The model's logits for NCHW `images`, averaged over their flips under `tta`.
torch::Tensor evaluationLogits(PlanModel& model, const torch::Tensor& images,
                               TestTimeAugmentation tta);

} // namespace fiver::runtime
