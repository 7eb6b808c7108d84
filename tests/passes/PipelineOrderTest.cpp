// Passes register themselves and the pipeline order follows from their
// runsAfter() constraints alone: it must stay the order the pass dumps and
// plans have always had.
#include "passes/PassRegistry.h"

#include <gtest/gtest.h>

TEST(PassRegistry, ConstraintsGiveTheEstablishedPipelineOrder) {
  const std::vector<std::string> expected = {"weight_tying",
                                             "alibi",
                                             "factorize",
                                             "blurpool",
                                             "squeeze_excite",
                                             "stochastic_depth",
                                             "layer_freezing",
                                             "channels_last",
                                             "mixed_precision",
                                             "op_fusion",
                                             "progressive_resolution"};
  EXPECT_EQ(fiver::passes::registeredPasses(), expected);
}

TEST(PassRegistry, UnknownNamesHaveNoPass) {
  EXPECT_EQ(fiver::passes::createPass("channels_first"), nullptr);
}
