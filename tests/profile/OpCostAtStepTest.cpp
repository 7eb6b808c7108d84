// Backward costs at a training step: what autograd computes once layer
// freezing has stopped some weight gradients.
#include "compiler/plan/OpCost.h"

#include <gtest/gtest.h>

namespace fiver::plan {
namespace {

Op op(const std::string& name, const std::string& kind, std::vector<int64_t> shape,
      std::vector<int> inputs, ScalarMap attrs = {}) {
  Op o;
  o.name = name;
  o.kind = kind;
  o.shape = std::move(shape);
  o.inputs = std::move(inputs);
  o.attrs = std::move(attrs);
  return o;
}

// input -> conv1 -> bn1 -> relu1 -> conv2 -> relu2; conv1 and bn1 freeze at step 10.
Plan twoConvs() {
  Plan p;
  auto conv = [](int64_t in) {
    return ScalarMap{{"in", Scalar::num(static_cast<double>(in))},
                     {"out", Scalar::num(4)},
                     {"kernel", Scalar::num(3)},
                     {"padding", Scalar::num(1)}};
  };
  p.ops = {op("x", "input", {1, 8, 8}, {}),
           op("conv1", "conv", {4, 8, 8}, {0}, conv(1)),
           op("bn1", "bn", {4, 8, 8}, {1}, {{"features", Scalar::num(4)}}),
           op("relu1", "relu", {4, 8, 8}, {2}),
           op("conv2", "conv", {4, 8, 8}, {3}, conv(4)),
           op("relu2", "relu", {4, 8, 8}, {4})};
  p.ops[1].freezeStep = 10;
  p.ops[2].freezeStep = 10;
  return p;
}

TEST(OpCostAtStepTest, TheStemComputesOnlyItsWeightGradient) {
  const Plan p = twoConvs();
  const std::vector<OpCost> full = planOpCosts(p, 2), early = planOpCostsAtStep(p, 2, 0);
  EXPECT_DOUBLE_EQ(early[1].backwardFlops, full[1].forwardFlops); // no gradient for the images
  EXPECT_DOUBLE_EQ(early[4].backwardFlops, 2 * full[4].forwardFlops);
  EXPECT_DOUBLE_EQ(early[5].backwardFlops, full[5].backwardFlops);
  // Output gradient read, saved input read, weight gradient written.
  const double width = 4, out = 2 * 4 * 8 * 8, in = 2 * 1 * 8 * 8, params = 4 * 9;
  EXPECT_DOUBLE_EQ(early[1].backwardBytesMoved, (out + in + params) * width);
  EXPECT_DOUBLE_EQ(full[4].backwardBytesMoved, (out + 2 * out + 2 * 4 * 4 * 9) * width);
  EXPECT_GT(early[4].stepIntensity(), early[5].stepIntensity());
}

TEST(OpCostAtStepTest, AFrozenPrefixNeedsNoBackward) {
  const Plan p = twoConvs();
  const std::vector<OpCost> full = planOpCosts(p, 2), late = planOpCostsAtStep(p, 2, 10);
  for (size_t i : {1u, 2u, 3u}) {
    EXPECT_EQ(late[i].backwardFlops, 0) << p.ops[i].name;
    EXPECT_EQ(late[i].backwardBytesMoved, 0) << p.ops[i].name;
    EXPECT_DOUBLE_EQ(late[i].forwardFlops, full[i].forwardFlops) << p.ops[i].name;
  }
  EXPECT_DOUBLE_EQ(late[4].backwardFlops, full[4].forwardFlops); // weight gradient only
  EXPECT_GT(late[5].backwardFlops, 0);
}

TEST(OpCostAtStepTest, ProgressiveResizingShrinksSpatialOpsUntilFullSize) {
  for (const char* pool : {"global_avgpool", "global_maxpool"}) {
    Plan p = twoConvs();
    p.ops.push_back(op("pool", pool, {4, 1, 1}, {5}));
    p.ops.push_back(op("flat", "flatten", {4}, {6}));
    p.ops.push_back(
        op("fc", "linear", {10}, {7}, {{"in", Scalar::num(4)}, {"out", Scalar::num(10)}}));
    p.resolution = {{0, 4, 4}, {20, 8, 8}};
    const std::vector<OpCost> full = planOpCostsAtStep(p, 2, 20),
                              small = planOpCostsAtStep(p, 2, 0);
    for (size_t i : {1u, 2u, 3u, 4u, 5u, 6u}) // a quarter of the pixels
      EXPECT_DOUBLE_EQ(small[i].forwardFlops, full[i].forwardFlops / 4) << pool << p.ops[i].name;
    // The pooled map is 4x1x1 at any size, so flatten and the classifier keep theirs.
    EXPECT_DOUBLE_EQ(small[6].activationBytes, full[6].activationBytes) << pool;
    EXPECT_DOUBLE_EQ(small[7].activationBytes, full[7].activationBytes) << pool;
    EXPECT_DOUBLE_EQ(small[8].forwardFlops, full[8].forwardFlops) << pool;
    EXPECT_DOUBLE_EQ(full[1].forwardFlops, planOpCosts(p, 2)[1].forwardFlops) << pool;
  }
}

} // namespace
} // namespace fiver::plan
