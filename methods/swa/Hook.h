// The runtime hook of swa: a pure function (usable and testable alone)
// plus the Method that calls it on its events.
#pragma once

#include "runtime/train/Method.h"

#include <map>
#include <string>
#include <vector>

namespace fiver::runtime {

// --- swa: an equal-weight average of the weights from `start` on ---
// average += (live - average) / (countBefore + 1)
void swaUpdate(std::vector<torch::Tensor>& average, const std::vector<torch::Tensor>& live,
               int64_t countBefore);

class Swa : public Method {
public:
  explicit Swa(int64_t startStep) : startStep_(startStep) {}
  bool match(Event e, const TrainState&) const override {
    return e == Event::AfterOptimizerStep || e == Event::EvalStart || e == Event::EvalEnd;
  }
  void apply(Event e, TrainState& s) override;
  void saveState(MethodState& out) const override;
  void loadState(const MethodState& in) override;
  int64_t averagedCount() const { return count_; }
  const std::vector<torch::Tensor>& average() const { return average_; }

  // Training samples used to re-estimate batch-norm statistics.
  static constexpr int64_t kBatchNormSamples = 8192;

private:
  void recomputeBatchNorm(TrainState& s);
  int64_t startStep_;
  int64_t count_ = 0;
  std::vector<torch::Tensor> average_; // parameters only
  std::vector<torch::Tensor> saved_;   // live parameters and buffers during evaluation
};

} // namespace fiver::runtime
