// A run's identity: the hash of its resolved plan. Two runs with the same plan
// are the same experiment, so a study reuses a result whose hash it has.
#pragma once

#include "compiler/plan/Plan.h"
#include "compiler/support/Fnv.h"

#include <string>

namespace fiver::study {

// 16 hex digits of FNV-1a (64 bit) over the plan's deterministic YAML text.
std::string planHash(const plan::Plan& plan);

} // namespace fiver::study
