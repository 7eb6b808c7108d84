// The runtime hook of lookahead: a pure function (usable and testable alone)
// plus the Method that calls it on its events.
#pragma once

#include "runtime/methods/OptimizedParameters.h"
#include "runtime/train/Method.h"

#include <map>
#include <string>
#include <vector>

namespace fiver::runtime {

// --- lookahead: slow weights pulled towards the fast ones every k steps ---
// slow += alpha * (fast - slow); fast = slow.
void lookaheadSync(std::vector<torch::Tensor>& slow, const std::vector<torch::Tensor>& fast,
                   double alpha);

class Lookahead : public Method {
public:
  Lookahead(int64_t k, double alpha);
  bool match(Event e, const TrainState&) const override {
    return e == Event::FitStart || e == Event::AfterOptimizerStep;
  }
  void apply(Event e, TrainState& s) override;
  void saveState(MethodState& out) const override;
  void loadState(const MethodState& in) override;
  int64_t syncCount() const { return syncs_; }

private:
  int64_t k_;
  double alpha_;
  int64_t fastSteps_ = 0; // fast steps since the last sync
  int64_t syncs_ = 0;
  std::vector<torch::Tensor> slow_;
};

} // namespace fiver::runtime
