// channels_last's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "tests/composition/ProbeSupport.h"

namespace fiver::composition {
namespace {

// Channels last: the batch enters the network in NHWC.
class NhwcBatches : public Probe {
public:
  void afterMethods(Event e, const TrainState& s) override {
    if (e != Event::AfterData) return;
    expect(s.images.is_contiguous(torch::MemoryFormat::ChannelsLast) && !s.images.is_contiguous(),
           "step " + std::to_string(s.step) + " feeds a " + dims(s.images) +
               " batch that is not channels-last");
  }
};

std::unique_ptr<Probe> nhwcBatchesProbe(const plan::Plan&) {
  return std::make_unique<NhwcBatches>();
}

const EffectRegistrar kEffect(MethodUnderTest{"channels_last",
                                              "reorder derived_data static domain channels_last",
                                              {InputKind::Image},
                                              nhwcBatchesProbe});
} // namespace
} // namespace fiver::composition
