// Per-op time of the forward and backward passes while profiling, indexed like
// the plan's ops. Forward: each op is timed around its call. Backward: autograd
// calls a hook on an op's output once that output's gradient is complete, just
// before the op's own backward starts; the op is charged the time until the
// next such arrival (or the end of the backward phase). What runs before the
// first arrival (the loss's backward) is attributed to no op. Only the step's
// own forward and backward phases count: a method that reruns the model (a
// second gradient evaluation) is charged to the method hooks, not to the ops.
// `synchronize` waits for the device, so queued kernels land on their op;
// these are the synchronizing hooks an uninstrumented run goes without.
#pragma once

#include "runtime/profile/PhaseTimer.h"

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <functional>
#include <utility>
#include <vector>

namespace fiver::runtime {

class OpTimes {
public:
  using Clock = std::chrono::steady_clock;

  explicit OpTimes(size_t ops, std::function<void()> synchronize = {})
      : forward(ops, 0.0), backward(ops, 0.0), synchronize_(std::move(synchronize)) {}

  std::vector<double> forward, backward; // seconds, summed over the profiled steps

  // Follows the step's phases (PhaseTimer::setOnChange).
  void phaseChanged(Phase left, Phase entered, Clock::time_point now) {
    if (left == Phase::Backward) closeBackward(now);
    phase_ = entered;
  }

  // Forward: ops are timed only inside the step's forward phase; an op's
  // time runs from now() before it to addForward() after it.
  bool timingForward() const { return phase_ == Phase::Forward; }
  Clock::time_point now() const {
    if (synchronize_) synchronize_();
    return Clock::now();
  }
  void addForward(size_t op, Clock::time_point start) {
    const Clock::time_point end = now();
    if (op < forward.size()) forward[op] += std::chrono::duration<double>(end - start).count();
  }

  void gradientArrived(size_t op) {
    if (phase_ == Phase::Backward) arrivals_.emplace_back(op, now());
  }

  // At the end of a backward pass: charges each op up to the next arrival.
  void closeBackward(Clock::time_point end) {
    std::stable_sort(arrivals_.begin(), arrivals_.end(),
                     [](const auto& a, const auto& b) { return a.second < b.second; });
    for (size_t k = 0; k < arrivals_.size(); ++k) {
      const Clock::time_point until = k + 1 < arrivals_.size() ? arrivals_[k + 1].second : end;
      if (arrivals_[k].first < backward.size())
        backward[arrivals_[k].first] +=
            std::chrono::duration<double>(until - arrivals_[k].second).count();
    }
    arrivals_.clear();
  }

private:
  std::function<void()> synchronize_;
  Phase phase_ = Phase::Other;
  std::vector<std::pair<size_t, Clock::time_point>> arrivals_;
};

} // namespace fiver::runtime
