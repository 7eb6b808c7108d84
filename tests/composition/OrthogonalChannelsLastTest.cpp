// orthogonal_init used to throw on every channels-last convolution weight
// (torch's init::orthogonal_ views the weight as a matrix), so a recipe with
// both methods failed at its first event.
#include "tests/composition/PairRun.h"

#include <gtest/gtest.h>

namespace fiver::composition {
namespace {

TEST(CompositionRegression, OrthogonalInitKeepsChannelsLastWeightsOrthogonal) {
  const CellOutcome o =
      runCell({&methodUnderTest("channels_last"), &methodUnderTest("orthogonal_init")});
  ASSERT_EQ(o.verdict, CellOutcome::Verdict::Ran) << o.diagnostics;
  EXPECT_TRUE(o.failures.empty()) << o.failures.front();
}

} // namespace
} // namespace fiver::composition
