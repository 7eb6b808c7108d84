// The runtime hook of channel_pruning: pure functions (usable and testable
// alone) plus the Method that calls them at the plan's prune step.
#pragma once

#include "runtime/train/Method.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace fiver::runtime {

// --- channel_pruning: the filters of marked convolutions are removed ---
// A convolution the plan marks (`prune_keep`, methods/channel_pruning/Pass.h),
// by plan index: the per-channel ops after it (`pruned_with`), the layer that
// reads its channels (`pruned_input_of`) and the features each channel is
// there (`pruned_input_block`).
struct ChannelGroup {
  int conv = 0;
  int64_t keep = 0;
  int64_t step = 0;
  std::vector<int> perChannel;
  int reader = -1;
  int64_t block = 1;
};
std::vector<ChannelGroup> channelGroups(const std::vector<plan::Op>& ops);

// PruneTrain's ranking: each filter's largest absolute weight.
torch::Tensor filterMagnitudes(const torch::Tensor& convWeight);
// The `keep` filters of largest magnitude, in their original order.
torch::Tensor strongestFilters(const torch::Tensor& magnitudes, int64_t keep);

// Slices, in place, the group's conv (weight and bias along the outputs), its
// batch norms (scale, shift, running statistics) and the reader's inputs to
// the `kept` channels, with each parameter's optimizer state (momentum,
// Adam's moments); gradients are dropped. Parameters keep their identity, so
// the optimizer goes on updating them. Throws for optimizer state it cannot
// slice.
void pruneChannels(PlanModel& model, torch::optim::Optimizer* optimizer, const ChannelGroup& group,
                   const torch::Tensor& kept);

// The plan with the groups' ops at their kept widths: what the pruned model
// costs per step (runtime/metrics/FlopCounter).
plan::Plan prunedPlan(const plan::Plan& plan, const std::vector<ChannelGroup>& groups);

// Removes the filters before the forward pass of the first step at or after
// the plan's prune step; from then on, each step's FLOPs are those of the
// narrower model (the counter charges the plan's widths, and the hook takes
// the difference back).
class ChannelPruning : public Method {
public:
  bool match(Event e, const TrainState&) const override {
    return e == Event::BeforeForward || e == Event::BatchEnd;
  }
  void apply(Event e, TrainState& s) override;
  // Whether the filters were removed and which ones: a run resumed after
  // the prune step loads the narrower weights from the checkpoint and must
  // not prune again.
  void saveState(MethodState& out) const override;
  void loadState(const MethodState& in) override;

private:
  void prune(TrainState& s);
  void countSavedFlops(TrainState& s);

  std::map<std::string, torch::Tensor> kept_; // conv name -> kept filter indices
  bool pruned_ = false;
  int64_t passesBefore_ = 0;
  std::unique_ptr<FlopCounter> full_, narrow_;
};

} // namespace fiver::runtime
