// Phase accounting and per-op attribution: warm-up steps are left out,
// counting stops after the profiled steps, a steps-only timer reads the
// clock at step boundaries only, and each op's backward runs from its
// output gradient's arrival to the next one.
#include "runtime/profile/PhaseTimer.h"
#include "runtime/profile/OpTimes.h"

#include <gtest/gtest.h>

namespace fiver::runtime {
namespace {

void busy() {
  volatile double x = 0;
  for (int i = 0; i < 20000; ++i)
    x = x + i;
}

TEST(PhaseTimerTest, CountsOnlyProfiledStepsAndPhasesAddUpToTheirWallTime) {
  PhaseTimer timer(2, 3);
  for (int64_t step = 0; step < 8; ++step) {
    for (Phase p : {Phase::Forward, Phase::Loss, Phase::Backward, Phase::Optimizer}) {
      timer.enter(p);
      busy();
    }
    timer.endStep(step);
  }
  EXPECT_EQ(timer.steps(), 3);
  EXPECT_FALSE(timer.counting());
  EXPECT_GT(timer.seconds(Phase::Forward), 0);
  EXPECT_EQ(timer.seconds(Phase::Methods), 0);
  // The same clock readings on both sides: equal up to rounding.
  EXPECT_NEAR(timer.totalSeconds(), timer.wallSeconds(), 1e-9);
}

TEST(PhaseTimerTest, StepsOnlyTimerIgnoresPhasesAndTimesWholeSteps) {
  PhaseTimer timer = PhaseTimer::stepsOnly(1, 2);
  int changes = 0;
  timer.setOnChange([&](Phase, Phase, PhaseTimer::Clock::time_point) { ++changes; });
  for (int64_t step = 0; step < 5; ++step) {
    timer.enter(Phase::Forward);
    busy();
    timer.endStep(step);
  }
  EXPECT_EQ(changes, 0);
  EXPECT_EQ(timer.steps(), 2);
  EXPECT_EQ(timer.totalSeconds(), 0);
  EXPECT_GT(timer.wallSeconds(), 0);
}

TEST(PhaseTimerTest, MethodHooksInterruptAPhaseAndResumeIt) {
  PhaseTimer timer(0, 1);
  std::vector<std::pair<Phase, Phase>> changes;
  timer.setOnChange([&](Phase left, Phase entered, PhaseTimer::Clock::time_point) {
    changes.emplace_back(left, entered);
  });
  timer.enter(Phase::Forward);
  const Phase interrupted = timer.current();
  timer.enter(Phase::Methods);
  timer.enter(interrupted);
  EXPECT_EQ(timer.current(), Phase::Forward);
  ASSERT_EQ(changes.size(), 3u);
  EXPECT_EQ(changes[1], std::make_pair(Phase::Forward, Phase::Methods));
  EXPECT_EQ(changes[2], std::make_pair(Phase::Methods, Phase::Forward));
}

TEST(OpTimesTest, BackwardTimeRunsFromEachGradientToTheNext) {
  OpTimes times(4);
  const auto start = OpTimes::Clock::now();
  times.phaseChanged(Phase::Loss, Phase::Backward, start);
  times.gradientArrived(3);
  busy();
  times.gradientArrived(1);
  busy();
  times.phaseChanged(Phase::Backward, Phase::Optimizer, OpTimes::Clock::now());
  EXPECT_GT(times.backward[3], 0);
  EXPECT_GT(times.backward[1], 0);
  EXPECT_EQ(times.backward[2], 0);
  times.closeBackward(OpTimes::Clock::now()); // nothing pending: nothing charged
  EXPECT_EQ(times.backward[2], 0);
}

TEST(OpTimesTest, OnlyTheStepsOwnForwardAndBackwardAreCharged) {
  OpTimes times(2);
  // A method rerunning the model (a second gradient evaluation) is hooks' time.
  times.phaseChanged(Phase::Forward, Phase::Methods, OpTimes::Clock::now());
  EXPECT_FALSE(times.timingForward());
  times.gradientArrived(1);
  times.phaseChanged(Phase::Methods, Phase::Backward, OpTimes::Clock::now());
  times.phaseChanged(Phase::Backward, Phase::Optimizer, OpTimes::Clock::now());
  EXPECT_EQ(times.backward[1], 0);
  times.phaseChanged(Phase::Loss, Phase::Forward, OpTimes::Clock::now());
  EXPECT_TRUE(times.timingForward());
  const auto start = times.now();
  busy();
  times.addForward(0, start);
  EXPECT_GT(times.forward[0], 0);
}

} // namespace
} // namespace fiver::runtime
