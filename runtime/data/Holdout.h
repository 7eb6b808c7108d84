// Which training examples a plan's `holdout` keeps out of training. They are
// chosen by a permutation of the whole training split drawn from a fixed seed,
// not the recipe's, so every recipe and every seed holds out the same
// examples and their holdout metrics compare. Torch-free: a portable
// generator keeps the choice the same across LibTorch versions and devices.
#pragma once

#include <cstdint>
#include <vector>

namespace fiver::runtime {

struct HoldoutSplit {
  std::vector<int64_t> heldOut;   // ascending indices into the training split
  std::vector<int64_t> remaining; // the rest, ascending: what training may use
};

// Splits a training split of `splitSize` examples; 0 < count < splitSize.
HoldoutSplit splitHoldout(int64_t splitSize, int64_t count);

} // namespace fiver::runtime
