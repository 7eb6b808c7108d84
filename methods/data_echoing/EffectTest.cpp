// data_echoing's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "runtime/data/BatchLoader.h"
#include "tests/composition/Probe.h"

#include <cmath>

namespace fiver::composition {
namespace {

// Data echoing: each loaded batch is served `factor` times, so the loader
// gathers about 1 / factor as many batches as the steps train on (one more
// per epoch started, where an echo is cut short).
class EchoedLoads : public Probe {
public:
  explicit EchoedLoads(int64_t factor) : factor_(factor) {}
  void afterMethods(Event e, const TrainState& s) override {
    if (e != Event::BatchEnd || !s.loader) return;
    const int64_t served = s.step + 1;
    const int64_t most = (served + factor_ - 1) / factor_ + s.epoch;
    expect(s.loader->loads() <= most, "step " + std::to_string(s.step) + " has loaded " +
                                          std::to_string(s.loader->loads()) +
                                          " batches, expected at most " + std::to_string(most));
  }

private:
  int64_t factor_;
};

std::unique_ptr<Probe> echoedLoadsProbe(const plan::Plan& p) {
  return std::make_unique<EchoedLoads>(std::llround(methodArgument(p, "data_echoing", "factor")));
}

const EffectRegistrar kEffect(MethodUnderTest{
    "data_echoing",
    "retrofit training_data static domain data_echoing(factor: 2)",
    {InputKind::Image, InputKind::Text},
    echoedLoadsProbe});
} // namespace
} // namespace fiver::composition
