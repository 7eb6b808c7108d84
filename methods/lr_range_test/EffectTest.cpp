// lr_range_test's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "tests/composition/ProbeSupport.h"

namespace fiver::composition {
namespace {

// LR range test: a rate is found before the first step, and the schedule
// (constant in the matrix) trains at it.
class FoundRate : public Probe {
public:
  void beforeMethods(Event e, const TrainState& s) override {
    if (e != Event::BeforeForward) return;
    auto found = s.findings.find("lr_range_test.lr");
    expect(found != s.findings.end(), "no rate was found before step " + std::to_string(s.step));
    if (found == s.findings.end()) return;
    const double rate = rateOf(s.optimizer);
    expect(closeRate(rate, found->second), "step " + std::to_string(s.step) + " is scheduled at " +
                                               std::to_string(rate) + ", the test found " +
                                               std::to_string(found->second));
  }
};

std::unique_ptr<Probe> foundRateProbe(const plan::Plan&) {
  return std::make_unique<FoundRate>();
}

const EffectRegistrar kEffect(MethodUnderTest{
    "lr_range_test",
    "replace training_algorithm static learned lr_range_test(length: 10 steps)",
    {InputKind::Image, InputKind::Text},
    foundRateProbe});
} // namespace
} // namespace fiver::composition
