// Which input of a residual add stochastic depth keeps: the skip connection,
// whatever order the ops were written in.
#include "runtime/model/ResidualSkip.h"

#include <gtest/gtest.h>

using fiver::plan::Op;
using fiver::runtime::isResidualAdd;
using fiver::runtime::residualSkipInput;

namespace {

Op op(int id, std::vector<int> inputs) {
  Op o;
  o.id = id;
  o.kind = "conv";
  o.inputs = std::move(inputs);
  return o;
}

} // namespace

TEST(ResidualSkip, IdentityShortcutIsTheSkip) {
  // 0 input, 1-3 branch, 4 = add(3, 0)
  std::vector<Op> ops = {op(0, {}), op(1, {0}), op(2, {1}), op(3, {2}), op(4, {3, 0})};
  EXPECT_EQ(residualSkipInput(ops, 4), 0);
}

TEST(ResidualSkip, DownsamplingShortcutComputedAfterTheBranchIsTheSkip) {
  // As torchvision's BasicBlock exports: the branch (1-5: conv, bn, relu,
  // conv, bn) comes first, then the shortcut's conv and bn (6, 7), then the add.
  std::vector<Op> ops = {op(0, {}),  op(1, {0}), op(2, {1}), op(3, {2}),   op(4, {3}),
                         op(5, {4}), op(6, {0}), op(7, {6}), op(8, {5, 7})};
  EXPECT_EQ(residualSkipInput(ops, 8), 7);
}

TEST(ResidualSkip, DownsamplingShortcutComputedFirstIsTheSkip) {
  std::vector<Op> ops = {op(0, {}),  op(1, {0}), op(2, {1}), op(3, {0}),   op(4, {3}),
                         op(5, {4}), op(6, {5}), op(7, {6}), op(8, {7, 2})};
  EXPECT_EQ(residualSkipInput(ops, 8), 2);
}

TEST(ResidualSkip, ATieKeepsTheEarlierInput) {
  std::vector<Op> ops = {op(0, {}), op(1, {0}), op(2, {0}), op(3, {2, 1})};
  EXPECT_EQ(residualSkipInput(ops, 3), 1);
}

TEST(ResidualSkip, OnlyAddsWithACommonAncestorAreResiduals) {
  // 0 input, 1 patch projection, 2 a position table (no inputs), 3 = 1 + 2,
  // 4 a block on 3, 5 = 4 + 3.
  std::vector<Op> ops = {op(0, {}),     op(1, {0}), op(2, {}),
                         op(3, {1, 2}), op(4, {3}), op(5, {4, 3})};
  EXPECT_FALSE(isResidualAdd(ops, 3));
  EXPECT_TRUE(isResidualAdd(ops, 5));
}
