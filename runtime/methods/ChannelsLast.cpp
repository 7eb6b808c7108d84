#include "runtime/methods/Methods.h"

namespace fiver::runtime {

void ChannelsLast::apply(Event, TrainState& s) {
  if (s.images.dim() == 4) s.images = s.images.contiguous(torch::MemoryFormat::ChannelsLast);
}

} // namespace fiver::runtime
