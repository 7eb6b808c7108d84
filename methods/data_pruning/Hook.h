// The runtime hook of data_pruning: a pure function (usable and testable alone)
// plus the Method that calls it on its events.
#pragma once

#include "runtime/data/Sampler.h"
#include "runtime/methods/DataSeams.h"
#include "runtime/methods/ExampleScores.h"
#include "runtime/train/Method.h"

#include <map>
#include <string>
#include <vector>

namespace fiver::runtime {

// --- data_pruning: the epoch holds only the kept fraction ---
// Indices (ascending) of the ceil(keep x n_c) highest (or lowest) scores of
// each class c, so pruning keeps the class balance; sequences (labels
// [N, T]) form one group.
torch::Tensor keptExamples(const torch::Tensor& scores, const torch::Tensor& labels, double keep,
                           bool keepHardest);

class DataPruning : public Method {
public:
  DataPruning(double keep, ExampleScoring scoring, bool keepHardest);
  bool match(Event e, const TrainState&) const override { return e == Event::FitStart; }
  void apply(Event e, TrainState& s) override;
  const torch::Tensor& scores() const { return scores_; }
  const torch::Tensor& kept() const { return kept_; }

private:
  double keep_;
  ExampleScoring scoring_;
  bool keepHardest_;
  torch::Tensor scores_, kept_;
};

} // namespace fiver::runtime
