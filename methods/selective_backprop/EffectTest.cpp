// selective_backprop's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "tests/composition/Probe.h"

#include <cmath>

namespace fiver::composition {
namespace {

// Selective backprop: the batch that reaches backward holds the kept share
// of the batch the data methods were given.
class KeptFraction : public Probe {
public:
  explicit KeptFraction(double keep) : keep_(keep) {}
  void beforeMethods(Event e, const TrainState& s) override {
    if (e == Event::AfterData) loaded_ = s.labels.size(0);
  }
  void afterMethods(Event e, const TrainState& s) override {
    if (e != Event::AfterData) return;
    const auto kept = static_cast<int64_t>(std::ceil(keep_ * static_cast<double>(loaded_)));
    expect(s.labels.size(0) == kept && s.images.size(0) == kept,
           "kept " + std::to_string(s.images.size(0)) + " of " + std::to_string(loaded_) +
               " examples, expected " + std::to_string(kept));
  }

private:
  double keep_;
  int64_t loaded_ = 0;
};

std::unique_ptr<Probe> keptFractionProbe(const plan::Plan& p) {
  return std::make_unique<KeptFraction>(methodArgument(p, "selective_backprop", "keep"));
}

const EffectRegistrar kEffect(MethodUnderTest{
    "selective_backprop",
    "remove derived_data dynamic domain selective_backprop(keep: 50%, start: 0%, end: 100%, "
    "interrupt: 0)",
    {InputKind::Image, InputKind::Text},
    keptFractionProbe});
} // namespace
} // namespace fiver::composition
