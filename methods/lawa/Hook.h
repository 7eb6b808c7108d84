// The runtime hook of lawa: a pure function (usable and testable alone)
// plus the Method that calls it on its events.
#pragma once

#include "runtime/train/Method.h"

#include <deque>
#include <vector>

namespace fiver::runtime {

// --- lawa: the live weights become the mean of the latest saved states ---
// One saved state: a copy of every state tensor of the model, in
// PlanModel::stateTensors() order.
using SavedState = std::vector<torch::Tensor>;

// live[i] = mean over `states` of states[*][i], for each i with averaged[i].
void loadMeanOfStates(const std::vector<torch::Tensor>& live, const std::deque<SavedState>& states,
                      const std::vector<bool>& averaged);

class Lawa : public Method {
public:
  Lawa(int64_t k, int64_t everySteps, int64_t startStep);
  bool match(Event e, const TrainState&) const override { return e == Event::BatchEnd; }
  void apply(Event e, TrainState& s) override;
  void saveState(MethodState& out) const override;
  void loadState(const MethodState& in) override;
  const std::deque<SavedState>& states() const { return states_; }

private:
  int64_t k_, every_, start_;
  std::deque<SavedState> states_; // oldest first, at most k_
};

// Which state tensors lawa averages: trainable parameters and the running
// statistics of batch norms that still train; frozen parameters, the
// statistics of frozen norms and integer counters keep their live value.
std::vector<bool> averagedStateTensors(PlanModel& model);

} // namespace fiver::runtime
