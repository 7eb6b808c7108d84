#include "compiler/study/CurveSpeedup.h"

#include <gtest/gtest.h>

using namespace fiver::study;

namespace {
// A reference that reaches 80% in 10 s, 85% in 20 s, 90% in 40 s.
ReferenceCurve reference() {
  return ReferenceCurve({{20, 0.85}, {10, 0.80}, {40, 0.90}});
}
} // namespace

TEST(CurveSpeedup, InterpolatesTheTimeToReachAQuality) {
  BoundedValue t = reference().timeToReach(0.875);
  EXPECT_EQ(t.bound, Bound::Exact);
  EXPECT_DOUBLE_EQ(t.value, 30); // halfway between (20, 85%) and (40, 90%)
}

TEST(CurveSpeedup, InterpolatesTheQualityAtATime) {
  BoundedValue q = reference().qualityAt(15);
  EXPECT_EQ(q.bound, Bound::Exact);
  EXPECT_DOUBLE_EQ(q.value, 0.825);
}

TEST(CurveSpeedup, EpsilonAndDeltaAtMatchedQualityAndTime) {
  // Reaches 87.5% in 15 s: the reference needs 30 s (ε = 2) and at 15 s has
  // 82.5% (δ = (0.875 - 0.825) / 0.825).
  PointSpeedup s = speedupAt(reference(), {15, 0.875});
  EXPECT_EQ(s.epsilon.bound, Bound::Exact);
  EXPECT_DOUBLE_EQ(s.epsilon.value, 2.0);
  EXPECT_EQ(s.delta.bound, Bound::Exact);
  EXPECT_NEAR(s.delta.value, 0.05 / 0.825, 1e-12);
}

TEST(CurveSpeedup, TheReferenceItselfHasNoSpeedup) {
  PointSpeedup s = speedupAt(reference(), {20, 0.85});
  EXPECT_DOUBLE_EQ(s.epsilon.value, 1.0);
  EXPECT_DOUBLE_EQ(s.delta.value, 0.0);
}

TEST(CurveSpeedup, BeyondTheReferenceValuesAreBounds) {
  // 92% is more than the reference ever reached: it needs more than 40 s.
  PointSpeedup better = speedupAt(reference(), {20, 0.92});
  EXPECT_EQ(better.epsilon.bound, Bound::AtLeast);
  EXPECT_DOUBLE_EQ(better.epsilon.value, 2.0);
  EXPECT_EQ(better.delta.bound, Bound::Exact);
  // Faster than the reference's shortest run: the reference had at most 80%.
  PointSpeedup fast = speedupAt(reference(), {5, 0.82});
  EXPECT_EQ(fast.delta.bound, Bound::AtLeast);
  EXPECT_NEAR(fast.delta.value, 0.02 / 0.80, 1e-12);
  // Slower than its longest run: the reference had at least 90% by then.
  PointSpeedup slow = speedupAt(reference(), {60, 0.85});
  EXPECT_EQ(slow.delta.bound, Bound::AtMost);
  EXPECT_EQ(slow.epsilon.bound, Bound::Exact);
  EXPECT_NEAR(slow.epsilon.value, 20.0 / 60.0, 1e-12);
}

TEST(CurveSpeedup, TheFirstCrossingCountsOnANoisyCurve) {
  ReferenceCurve noisy({{10, 0.80}, {20, 0.90}, {30, 0.85}, {40, 0.95}});
  EXPECT_DOUBLE_EQ(noisy.timeToReach(0.85).value, 15);
}

TEST(CurveSpeedup, FormatsBounds) {
  EXPECT_EQ(formatBounded({1.5, Bound::Exact}, 2), "1.50");
  EXPECT_EQ(formatBounded({2, Bound::AtLeast}, 1), "≥ 2.0");
  EXPECT_EQ(formatBounded({-0.0125, Bound::AtMost}, 2, true), "≤ -1.25%");
}
