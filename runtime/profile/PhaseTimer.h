// Where a training step's time goes: the loop says which phase it enters, and
// the time since the last change is charged to the phase it leaves, so the
// phases of a step always add up to the step's wall time. Method hooks are
// their own phase wherever they run. Off (null) outside `5rc profile`.
// A steps-only timer ignores the phases (no clock, no synchronization) and
// times whole steps: the uninstrumented run that checks the phase sum.
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <vector>

namespace fiver::runtime {

enum class Phase { Data, HostToDevice, Forward, Loss, Backward, Optimizer, Methods, Other, Count };

const char* phaseName(Phase p);

class PhaseTimer {
public:
  using Clock = std::chrono::steady_clock;

  // Steps `warmupSteps` to `warmupSteps + steps - 1` are counted: not the
  // warm-up, nor what follows the last (evaluation). `synchronize` waits for
  // the device so that its queued work is charged to the phase that queued it.
  PhaseTimer(int64_t warmupSteps, int64_t steps, std::function<void()> synchronize = {})
      : warmup_(warmupSteps), end_(warmupSteps + steps), synchronize_(std::move(synchronize)) {}
  static PhaseTimer stepsOnly(int64_t warmupSteps, int64_t steps) {
    PhaseTimer t(warmupSteps, steps);
    t.phases_ = false;
    return t;
  }

  // Called on every phase change with the phase left, the one entered and
  // the time (per-op backward timings close when the backward phase ends).
  void setOnChange(std::function<void(Phase, Phase, Clock::time_point)> f) {
    onChange_ = std::move(f);
  }

  void enter(Phase p) {
    if (!phases_) return;
    if (synchronize_) synchronize_();
    const auto now = Clock::now();
    if (onChange_) onChange_(current_, p, now);
    if (counting_) seconds_[index(current_)] += std::chrono::duration<double>(now - mark_).count();
    mark_ = now;
    current_ = p;
  }
  Phase current() const { return current_; }

  // At the end of step `step` (0-based), once the loop has waited for the
  // device: the step is counted once warm.
  void endStep(int64_t step) {
    if (phases_) {
      enter(Phase::Data); // the next step starts by loading
    } else {
      mark_ = Clock::now();
    }
    if (counting_) {
      ++steps_;
      lastStepEnd_ = mark_;
      eachStep_.push_back(std::chrono::duration<double>(mark_ - previousEnd_).count());
    } else if (steps_ == 0) {
      firstStepStart_ = mark_;
    }
    previousEnd_ = mark_;
    counting_ = step + 1 >= warmup_ && step + 1 < end_;
  }

  // Each counted step's wall time, in order, and their median (which a
  // shared machine's stray pauses move less than the mean).
  const std::vector<double>& eachStepSeconds() const { return eachStep_; }
  double medianStepSeconds() const {
    if (eachStep_.empty()) return 0;
    std::vector<double> sorted = eachStep_;
    std::sort(sorted.begin(), sorted.end());
    const size_t mid = sorted.size() / 2;
    return sorted.size() % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }

  // Wall time from the start of the first counted step to the end of the
  // last, read at step boundaries only.
  double wallSeconds() const {
    return steps_ > 0 ? std::chrono::duration<double>(lastStepEnd_ - firstStepStart_).count() : 0;
  }

  bool counting() const { return counting_; }
  int64_t steps() const { return steps_; }
  double seconds(Phase p) const { return seconds_[index(p)]; }
  double totalSeconds() const {
    double t = 0;
    for (double s : seconds_)
      t += s;
    return t;
  }

private:
  static size_t index(Phase p) { return static_cast<size_t>(p); }
  int64_t warmup_;
  int64_t end_;
  std::function<void()> synchronize_;
  std::function<void(Phase, Phase, Clock::time_point)> onChange_;
  bool phases_ = true;
  Clock::time_point firstStepStart_, lastStepEnd_, previousEnd_;
  std::vector<double> eachStep_;
  bool counting_ = false;
  int64_t steps_ = 0;
  Phase current_ = Phase::Data;
  Clock::time_point mark_ = Clock::now();
  std::array<double, static_cast<size_t>(Phase::Count)> seconds_{};
};

inline const char* phaseName(Phase p) {
  switch (p) {
  case Phase::Data:
    return "data";
  case Phase::HostToDevice:
    return "host_to_device";
  case Phase::Forward:
    return "forward";
  case Phase::Loss:
    return "loss";
  case Phase::Backward:
    return "backward";
  case Phase::Optimizer:
    return "optimizer";
  case Phase::Methods:
    return "method_hooks";
  case Phase::Other:
    return "other";
  case Phase::Count:
    break;
  }
  return "?";
}

} // namespace fiver::runtime
