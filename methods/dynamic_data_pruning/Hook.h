// The runtime hook of dynamic_data_pruning: the pure functions that choose an
// epoch's subset (usable and testable alone) plus the Method that has the
// loader draw each epoch from a fresh one.
#pragma once

#include "runtime/data/EpochSubsetSampler.h"
#include "runtime/train/Method.h"

#include <string>

namespace fiver::runtime {

struct Split;

// The epoch's subset, among `candidates` (indices into the training split,
// with `labels` their labels): ceil(keep x n_c) of each class c, as
// data_pruning keeps them (keptExamples), ascending. Random: drawn from
// (seed, epoch). Loss: the examples with the highest `lastLoss` (the
// training loss each had when last trained on; +inf where never seen, and
// those come first, in an order drawn from (seed, epoch)).
torch::Tensor randomEpochSubset(const torch::Tensor& candidates, const torch::Tensor& labels,
                                double keep, uint64_t seed, int64_t epoch);
torch::Tensor hardestEpochSubset(const torch::Tensor& candidates, const torch::Tensor& labels,
                                 const torch::Tensor& lastLoss, double keep, uint64_t seed,
                                 int64_t epoch);

class DynamicDataPruning : public Method {
public:
  DynamicDataPruning(double keep, std::string score);
  bool match(Event e, const TrainState&) const override {
    return e == Event::FitStart || (e == Event::AfterForward && score_ == "loss");
  }
  void apply(Event e, TrainState& s) override;
  void saveState(MethodState& out) const override;
  void loadState(const MethodState& in) override;
  // Each example's training loss when last trained on (+inf: not yet).
  const torch::Tensor& lastLoss() const { return lastLoss_; }

private:
  torch::Tensor chooseEpoch(int64_t epoch) const;
  void recordLosses(const TrainState& s);

  double keep_;
  std::string score_;
  uint64_t seed_ = 0;
  const Split* split_ = nullptr;
  torch::Tensor candidates_, lastLoss_;
  EpochSubsetSampler* sampler_ = nullptr; // owned by the loader
};

} // namespace fiver::runtime
