#include "runtime/data/Holdout.h"

#include <algorithm>
#include <numeric>
#include <random>
#include <stdexcept>
#include <string>

namespace fiver::runtime {

namespace {
// Fixed for good: changing it changes every holdout metric ever reported.
constexpr uint64_t kHoldoutSeed = 0x5eed'0ff5'e7ULL;
} // namespace

HoldoutSplit splitHoldout(int64_t splitSize, int64_t count) {
  if (count <= 0 || count >= splitSize)
    throw std::invalid_argument("a holdout of " + std::to_string(count) + " examples from " +
                                std::to_string(splitSize) + " leaves nothing to train on");
  std::vector<int64_t> order(static_cast<size_t>(splitSize));
  std::iota(order.begin(), order.end(), int64_t{0});
  // Fisher-Yates with mt19937_64, whose output the standard fixes (the
  // standard distributions are implementation-defined, so none is used).
  std::mt19937_64 gen(kHoldoutSeed);
  for (int64_t i = splitSize - 1; i > 0; --i) {
    const auto j = static_cast<int64_t>(gen() % static_cast<uint64_t>(i + 1));
    std::swap(order[static_cast<size_t>(i)], order[static_cast<size_t>(j)]);
  }
  HoldoutSplit s;
  s.heldOut.assign(order.begin(), order.begin() + count);
  s.remaining.assign(order.begin() + count, order.end());
  std::sort(s.heldOut.begin(), s.heldOut.end());
  std::sort(s.remaining.begin(), s.remaining.end());
  return s;
}

} // namespace fiver::runtime
