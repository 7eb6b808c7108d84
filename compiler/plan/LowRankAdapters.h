// Low-rank adapters (the lora method) as plan ops. The lora pass puts beside
// each adapted conv or linear layer `base` four ops that carry
// `adapter_of: <base>` and their `adapter_part`:
//   down  (conv of base's kernel/stride/padding, or linear: in -> r, no bias)
//   up    (1x1 conv or linear: r -> out, no bias, starts at zero)
//   scale (factor alpha / r)
//   join  (add: base + scale)
// The runtime freezes `base` and zeroes `up` before the first step; ONNX
// export folds scale * up * down into base's weight and leaves the four out.
#pragma once

#include "compiler/plan/Plan.h"

#include <string_view>
#include <vector>

namespace fiver::plan {

inline constexpr std::string_view kAdapterOf = "adapter_of";
inline constexpr std::string_view kAdapterPart = "adapter_part";

// One adapted layer, as indices into Plan::ops.
struct LowRankAdapter {
  int base = -1, down = -1, up = -1, scale = -1, join = -1;
  double factor = 1; // alpha / r
};

// Every adapter of `ops`; throws std::runtime_error when one is incomplete
// (a part missing or naming a layer the plan does not have).
std::vector<LowRankAdapter> lowRankAdapters(const std::vector<Op>& ops);

} // namespace fiver::plan
