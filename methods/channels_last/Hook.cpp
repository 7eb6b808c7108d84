#include "methods/channels_last/Hook.h"
#include "runtime/methods/HookRegistry.h"

namespace fiver::runtime {

void ChannelsLast::apply(Event, TrainState& s) {
  if (s.images.dim() == 4) s.images = s.images.contiguous(torch::MemoryFormat::ChannelsLast);
}

namespace {
const HookRegistrar kHook("channels_last",
                          [](const MethodArgs&) { return std::make_unique<ChannelsLast>(); });
} // namespace

} // namespace fiver::runtime
