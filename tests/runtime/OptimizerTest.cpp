// Schedules added for the algorithm methods: step and cyclic, and warmup in
// front of any schedule, all fitted to the plan's total steps.
#include "runtime/optim/LrSchedule.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace fiver::runtime {
namespace {

plan::Call schedule(std::string kind, plan::ScalarMap params = {}) {
  return {std::move(kind), std::move(params)};
}

TEST(ScheduleTest, StepDropsByGammaEveryFractionOfTheBudget) {
  LrSchedule s(
      schedule("step", {{"every", plan::Scalar::num(0.3)}, {"gamma", plan::Scalar::num(0.1)}}), 1.0,
      100);
  EXPECT_NEAR(s.at(0), 1.0, 1e-12);
  EXPECT_NEAR(s.at(29), 1.0, 1e-12);
  EXPECT_NEAR(s.at(30), 0.1, 1e-12);
  EXPECT_NEAR(s.at(60), 0.01, 1e-12);
  EXPECT_NEAR(s.at(99), 0.001, 1e-12);
  // Half the budget: the same three drops, at half the steps.
  LrSchedule half(schedule("step", {{"every", plan::Scalar::num(0.3)}}), 1.0, 50);
  EXPECT_NEAR(half.at(15), 0.1, 1e-12);
  EXPECT_THROW(LrSchedule(schedule("step", {{"every", plan::Scalar::num(0)}}), 1.0, 10),
               std::runtime_error);
}

TEST(ScheduleTest, CyclicFitsWholeTrianglesIntoTheBudget) {
  LrSchedule s(
      schedule("cyclic", {{"cycles", plan::Scalar::num(4)}, {"div_factor", plan::Scalar::num(10)}}),
      1.0, 100);
  EXPECT_NEAR(s.at(0), 0.1, 1e-12);
  EXPECT_NEAR(s.at(10), 0.1 + 0.9 * 0.8, 1e-9);
  EXPECT_NEAR(s.at(15), 0.1 + 0.9 * 0.8, 1e-9);
  EXPECT_NEAR(s.at(25), 0.1, 1e-9); // the second cycle starts
  EXPECT_NEAR(s.at(85), 0.1 + 0.9 * 0.8, 1e-9);
}

TEST(ScheduleTest, WarmupComposesWithEverySchedule) {
  for (const char* kind : {"constant", "cosine", "linear", "step", "cyclic"}) {
    LrSchedule s(schedule(kind, {{"warmup", plan::Scalar::num(0.2)}}), 1.0, 100);
    EXPECT_NEAR(s.at(0), 1.0 / 20, 1e-12) << kind;
    EXPECT_NEAR(s.at(9), 0.5, 1e-12) << kind;
  }
  LrSchedule constant(schedule("constant", {{"warmup", plan::Scalar::num(0.2)}}), 1.0, 100);
  EXPECT_NEAR(constant.at(19), 1.0, 1e-12);
  EXPECT_NEAR(constant.at(70), 1.0, 1e-12);
}

} // namespace
} // namespace fiver::runtime
