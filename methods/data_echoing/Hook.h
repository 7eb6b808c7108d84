// The runtime hook of data_echoing: a pure function (usable and testable alone)
// plus the Method that calls it on its events.
#pragma once

#include "runtime/data/Sampler.h"
#include "runtime/methods/DataSeams.h"
#include "runtime/train/Method.h"

#include <map>
#include <string>
#include <vector>

namespace fiver::runtime {

// --- data_echoing: each loaded batch serves `factor` steps ---
class DataEchoing : public Method {
public:
  DataEchoing(int64_t factor, std::string stage);
  bool match(Event e, const TrainState&) const override { return e == Event::FitStart; }
  void apply(Event e, TrainState& s) override;

private:
  int64_t factor_;
  bool exampleStage_;
};

} // namespace fiver::runtime
