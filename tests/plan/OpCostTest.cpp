// Per-op costs against counts worked out by hand.
#include "compiler/plan/OpCost.h"

#include <gtest/gtest.h>

namespace fiver::plan {
namespace {

Op op(const std::string& kind, std::vector<int64_t> shape, ScalarMap attrs = {}) {
  Op o;
  o.kind = kind;
  o.shape = std::move(shape);
  o.attrs = std::move(attrs);
  return o;
}

TEST(OpCostTest, ConvolutionCountsMultiplyAddsAndWeights) {
  Op conv = op("conv", {32, 28, 28},
               {{"in", Scalar::num(1)}, {"out", Scalar::num(32)}, {"kernel", Scalar::num(3)}});
  OpCost c = opCost(conv, {{1, 28, 28}}, 2);
  EXPECT_DOUBLE_EQ(c.forwardFlops, 2.0 * 2 * 32 * 28 * 28 * 9);
  EXPECT_DOUBLE_EQ(c.backwardFlops, 2 * c.forwardFlops);
  EXPECT_EQ(c.parameters, 32 * 9);
  EXPECT_DOUBLE_EQ(c.activationBytes, 2.0 * 32 * 28 * 28 * 4);
  EXPECT_DOUBLE_EQ(c.bytesMoved, (2.0 * 28 * 28 + 2.0 * 32 * 28 * 28 + 288) * 4);
}

TEST(OpCostTest, LinearWithBiasAndElementwiseOps) {
  Op linear = op("linear", {10},
                 {{"in", Scalar::num(128)}, {"out", Scalar::num(10)}, {"bias", Scalar::num(1)}});
  OpCost c = opCost(linear, {{128}}, 4);
  EXPECT_DOUBLE_EQ(c.forwardFlops, 2.0 * 4 * 10 * 128);
  EXPECT_EQ(c.parameters, 1290);

  OpCost relu = opCost(op("relu", {8, 4, 4}), {{8, 4, 4}}, 2);
  EXPECT_DOUBLE_EQ(relu.forwardFlops, 2.0 * 128);
  EXPECT_EQ(relu.parameters, 0);
  EXPECT_LT(relu.intensity(), 0.2); // elementwise ops are memory bound
  EXPECT_GT(c.intensity(), relu.intensity());
}

TEST(OpCostTest, FusedGroupsCountEachReplacedOpButOnePassOverMemory) {
  Op fused = op("fused", {8, 4, 4}, {{"ops", Scalar::str("add,relu")}});
  OpCost f = opCost(fused, {{8, 4, 4}, {8, 4, 4}}, 1);
  EXPECT_DOUBLE_EQ(f.forwardFlops, 2.0 * 128);
  EXPECT_DOUBLE_EQ(f.bytesMoved, 3.0 * 128 * 4); // two inputs read, one output written
}

// Global pooling reads each input element once: the mean adds it, the max
// compares it. Backward, the mean spreads the gradient over every element and
// the max routes it to the argmax, zero-filling the rest: one write each.
TEST(OpCostTest, GlobalPoolingTouchesEachInputElementOnce) {
  for (const char* kind : {"global_avgpool", "global_maxpool"}) {
    OpCost c = opCost(op(kind, {64, 1, 1}), {{64, 7, 7}}, 2);
    EXPECT_DOUBLE_EQ(c.forwardFlops, 2.0 * 64 * 49) << kind;
    EXPECT_DOUBLE_EQ(c.backwardFlops, 2.0 * 64 * 49) << kind;
    EXPECT_EQ(c.parameters, 0) << kind;
    EXPECT_DOUBLE_EQ(c.activationBytes, 2.0 * 64 * 4) << kind;
    EXPECT_DOUBLE_EQ(c.bytesMoved, (2.0 * 64 * 49 + 2.0 * 64) * 4) << kind;
    // Output gradient read; saved input read and input gradient written.
    EXPECT_DOUBLE_EQ(c.backwardBytesMoved, (2.0 * 64 + 2 * 2.0 * 64 * 49) * 4) << kind;
  }
}

TEST(OpCostTest, PlanCostsFollowTheGraph) {
  Plan p;
  p.ops = {op("input", {1, 28, 28}), op("flatten", {784}),
           op("linear", {10}, {{"in", Scalar::num(784)}, {"out", Scalar::num(10)}})};
  p.ops[1].inputs = {0};
  p.ops[2].inputs = {1};
  auto costs = planOpCosts(p, 8);
  ASSERT_EQ(costs.size(), 3u);
  EXPECT_EQ(costs[0].forwardFlops, 0);
  EXPECT_DOUBLE_EQ(costs[2].forwardFlops, 2.0 * 8 * 784 * 10);
}

} // namespace
} // namespace fiver::plan
