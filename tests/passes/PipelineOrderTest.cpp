// Passes register themselves and the pipeline order follows from their
// runsAfter() constraints alone. The passes that existed before registration
// keep the relative order the pass dumps and plans have always had; a new
// pass may land anywhere its constraints allow, without an edit here.
#include "passes/PassRegistry.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace {

std::vector<std::string> keepOnly(const std::vector<std::string>& order,
                                  const std::vector<std::string>& names) {
  std::vector<std::string> kept;
  for (const std::string& name : order)
    if (std::find(names.begin(), names.end(), name) != names.end()) kept.push_back(name);
  return kept;
}

} // namespace

TEST(PassRegistry, ConstraintsKeepTheEstablishedRelativeOrder) {
  const std::vector<std::string> established = {"weight_tying",     "factorize",
                                                "blurpool",         "squeeze_excite",
                                                "stochastic_depth", "layer_freezing",
                                                "channels_last",    "mixed_precision",
                                                "op_fusion",        "progressive_resolution"};
  EXPECT_EQ(keepOnly(fiver::passes::registeredPasses(), established), established);
}

TEST(PassRegistry, EveryPassRunsAfterWhatItNames) {
  const std::vector<std::string> order = fiver::passes::registeredPasses();
  for (std::size_t at = 0; at < order.size(); ++at) {
    for (std::string_view before : fiver::passes::createPass(order[at])->runsAfter()) {
      const auto found = std::find(order.begin(), order.end(), before);
      if (found == order.end()) continue; // a constraint on a pass not built in
      EXPECT_LT(static_cast<std::size_t>(found - order.begin()), at)
          << order[at] << " must run after " << before;
    }
  }
}

TEST(PassRegistry, UnknownNamesHaveNoPass) {
  EXPECT_EQ(fiver::passes::createPass("channels_first"), nullptr);
}
