// The runtime hook of layer_freezing: a pure function (usable and testable alone)
// plus the Method that calls it on its events.
#pragma once

#include "runtime/train/Method.h"

#include <map>
#include <string>
#include <vector>

namespace fiver::runtime {

// --- layer_freezing: ops stop training at their planned freeze step ---
class LayerFreezing : public Method {
public:
  // EVAL_END too: evaluation leaves the whole model in training mode.
  bool match(Event e, const TrainState&) const override {
    return e == Event::BatchStart || e == Event::EvalEnd;
  }
  void apply(Event e, TrainState& s) override;
  size_t frozenCount() const { return frozen_.size(); }

private:
  std::map<std::string, bool> frozen_;
};

} // namespace fiver::runtime
