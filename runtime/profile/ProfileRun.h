// `5rc-exec PLAN --profile N`: trains a few warm-up steps, then N profiled
// steps, and writes what `5rc profile` reports from: seconds per phase and per
// forward op, each op's cost from the plan, the measured step time, and this
// machine's roofline.
#pragma once

#include "compiler/plan/Plan.h"
#include "runtime/train/Trainer.h"

#include <string>

namespace fiver::runtime {

inline constexpr int64_t kProfileWarmupSteps = 5;

// Writes the profile as JSON to `jsonPath`; throws on failure.
void runProfile(const plan::Plan& plan, TrainOptions options, int64_t steps,
                const std::string& jsonPath);

} // namespace fiver::runtime
