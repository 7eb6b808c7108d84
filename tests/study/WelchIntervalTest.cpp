#include "compiler/study/WelchInterval.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace fiver::study;

TEST(WelchInterval, StudentTQuantilesMatchTheTables) {
  EXPECT_NEAR(studentTQuantile(0.975, 1), 12.7062, 1e-4);
  EXPECT_NEAR(studentTQuantile(0.975, 2), 4.3027, 1e-4);
  EXPECT_NEAR(studentTQuantile(0.975, 4), 2.7764, 1e-4);
  EXPECT_NEAR(studentTQuantile(0.975, 1000), 1.9623, 1e-4);
  EXPECT_NEAR(studentTQuantile(0.025, 4), -2.7764, 1e-4);
}

TEST(WelchInterval, IntervalOfADifferenceOfMeans) {
  // Equal variances (1) and sizes (3): Welch's degrees of freedom are 4 and
  // the standard error √(2/3).
  std::optional<DifferenceInterval> d = welchInterval({1, 2, 3}, {4, 5, 6});
  ASSERT_TRUE(d);
  EXPECT_DOUBLE_EQ(d->difference, -3);
  const double half = 2.776445 * std::sqrt(2.0 / 3.0);
  EXPECT_NEAR(d->low, -3 - half, 1e-5);
  EXPECT_NEAR(d->high, -3 + half, 1e-5);
}

TEST(WelchInterval, UnequalVariancesGetFewerDegreesOfFreedom) {
  // All the scatter on one side: the interval is that side's t interval at
  // n − 1 = 2 degrees of freedom, wider than a pooled test would give.
  std::optional<DifferenceInterval> d = welchInterval({1, 2, 3}, {5, 5, 5});
  ASSERT_TRUE(d);
  const double half = 4.302653 * std::sqrt(1.0 / 3.0);
  EXPECT_NEAR(d->high, -3 + half, 1e-5);
}

TEST(WelchInterval, OneSeedHasNoInterval) {
  EXPECT_FALSE(welchInterval({1}, {4, 5, 6}));
  EXPECT_FALSE(welchInterval({1, 2}, {4}));
}

TEST(WelchInterval, RunsWithoutScatterGiveAnExactDifference) {
  std::optional<DifferenceInterval> d = welchInterval({2, 2}, {1, 1, 1});
  ASSERT_TRUE(d);
  EXPECT_DOUBLE_EQ(d->low, 1);
  EXPECT_DOUBLE_EQ(d->high, 1);
}
