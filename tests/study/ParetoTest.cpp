#include "compiler/study/Pareto.h"

#include <gtest/gtest.h>

using namespace fiver::study;

TEST(Pareto, DominationNeedsOneStrictlyBetterAxis) {
  EXPECT_TRUE(dominates({1, 0.9}, {2, 0.9}));
  EXPECT_TRUE(dominates({1, 0.9}, {1, 0.8}));
  EXPECT_FALSE(dominates({1, 0.9}, {1, 0.9}));
  EXPECT_FALSE(dominates({1, 0.8}, {2, 0.9})); // a trade-off
}

TEST(Pareto, FrontierKeepsTheNonDominatedPointsByTime) {
  std::vector<TimeQuality> pts = {
      {10, 0.80}, // frontier
      {20, 0.85}, // frontier
      {25, 0.84}, // dominated by (20, 0.85)
      {5, 0.70},  // frontier: fastest
      {40, 0.90}, // frontier: best
      {40, 0.88}, // dominated by (40, 0.90)
      {50, 0.90}, // dominated: slower, same quality
  };
  EXPECT_EQ(paretoFrontier(pts), (std::vector<size_t>{3, 0, 1, 4}));
}

TEST(Pareto, DuplicatesAppearOnce) {
  std::vector<TimeQuality> pts = {{1, 0.5}, {1, 0.5}, {2, 0.6}};
  EXPECT_EQ(paretoFrontier(pts), (std::vector<size_t>{0, 2}));
}

TEST(Pareto, EmptyInputHasEmptyFrontier) {
  EXPECT_TRUE(paretoFrontier({}).empty());
}
