// The runtime hook of channels_last: a pure function (usable and testable alone)
// plus the Method that calls it on its events.
#pragma once

#include "runtime/train/Method.h"

#include <map>
#include <string>
#include <vector>

namespace fiver::runtime {

// --- channels_last: batches enter the network already in NHWC ---
class ChannelsLast : public Method {
public:
  bool match(Event e, const TrainState&) const override { return e == Event::AfterData; }
  void apply(Event e, TrainState& s) override;
};

} // namespace fiver::runtime
