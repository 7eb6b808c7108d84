// Time to a target accuracy: the train time (evaluation excluded) and the wall
// time since the run started (evaluation included) at the first evaluation
// that reaches the target. Torch-free.
#pragma once

#include <optional>

namespace fiver::runtime {

class TimeToTarget {
public:
  // A target of 0 (or less) means none: nothing is ever reached.
  explicit TimeToTarget(double target = 0) : target_(target) {}

  // One evaluation's accuracy and the times at which it finished; only the
  // first that reaches the target counts.
  void observe(double accuracy, double trainSeconds, double wallSeconds) {
    if (target_ <= 0 || trainSeconds_ || accuracy < target_) return;
    trainSeconds_ = trainSeconds;
    wallSeconds_ = wallSeconds;
  }

  double target() const { return target_; }
  bool reached() const { return trainSeconds_.has_value(); }
  std::optional<double> trainSeconds() const { return trainSeconds_; }
  std::optional<double> wallSeconds() const { return wallSeconds_; }

private:
  double target_;
  std::optional<double> trainSeconds_, wallSeconds_;
};

} // namespace fiver::runtime
