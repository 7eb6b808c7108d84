// Schedule math: every schedule is fitted to the plan's total steps.
#include "runtime/optim/LrSchedule.h"

#include <gtest/gtest.h>

namespace fiver::runtime {
namespace {

plan::Call call(std::string kind, double warmup) {
  return {std::move(kind), {{"warmup", plan::Scalar::num(warmup)}}};
}

TEST(LrScheduleTest, OneCyclePeaksAtWarmupEndAndEndsNearTheFloor) {
  plan::Call c = call("one_cycle", 0.25);
  c.params["div_factor"] = plan::Scalar::num(25);
  c.params["final_div_factor"] = plan::Scalar::num(1e4);
  LrSchedule s(c, 0.1, 400);
  EXPECT_NEAR(s.at(0), 0.1 / 25, 1e-12);
  EXPECT_NEAR(s.at(100), 0.1, 1e-12);
  for (int64_t t = 0; t < 400; ++t)
    EXPECT_LE(s.at(t), s.at(100) + 1e-15) << t;
  for (int64_t t = 1; t < 100; ++t)
    EXPECT_GT(s.at(t), s.at(t - 1)) << t;
  for (int64_t t = 101; t < 400; ++t)
    EXPECT_LT(s.at(t), s.at(t - 1)) << t;
  EXPECT_NEAR(s.at(399), 0.1 / (25 * 1e4), 1e-9);
}

TEST(LrScheduleTest, CosineAndLinearWarmUpThenDecay) {
  LrSchedule cosine(call("cosine", 0.1), 1.0, 100);
  LrSchedule linear(call("linear", 0.1), 1.0, 100);
  EXPECT_NEAR(cosine.at(9), 1.0, 1e-12);
  EXPECT_NEAR(linear.at(9), 1.0, 1e-12);
  EXPECT_LT(cosine.at(0), 0.2);
  EXPECT_NEAR(cosine.at(55), 0.5, 0.05); // halfway through the decay
  EXPECT_NEAR(linear.at(55), 0.5, 0.02);
  EXPECT_LT(cosine.at(99), 0.01);
  EXPECT_LT(linear.at(99), 0.02);
}

TEST(LrScheduleTest, ConstantIsConstant) {
  LrSchedule s(call("constant", 0), 0.3, 10);
  for (int64_t t = 0; t < 10; ++t)
    EXPECT_DOUBLE_EQ(s.at(t), 0.3);
}

TEST(LrScheduleTest, UnknownScheduleIsAnError) {
  EXPECT_THROW(LrSchedule(call("triangle", 0), 0.1, 10), std::runtime_error);
}

} // namespace
} // namespace fiver::runtime
