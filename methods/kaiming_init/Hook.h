// The runtime hook of kaiming_init: a pure function (usable and testable alone)
// plus the Method that calls it on its events.
#pragma once

#include "runtime/methods/OptimizedParameters.h"
#include "runtime/train/Method.h"

#include <map>
#include <string>
#include <vector>

namespace fiver::runtime {

class KaimingInit : public Method {
public:
  KaimingInit(std::string mode, std::string distribution, bool zeroInitResidual);
  bool match(Event e, const TrainState&) const override { return e == Event::Init; }
  void apply(Event e, TrainState& s) override;

private:
  std::string mode_, distribution_;
  bool zeroInitResidual_;
};

} // namespace fiver::runtime
