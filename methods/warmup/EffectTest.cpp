// warmup's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "tests/composition/ProbeSupport.h"

#include <cmath>

namespace fiver::composition {
namespace {

// Warmup (linear): the scheduled rate times from + (1 - from) (step + 1) / length.
class WarmedRate : public Probe {
public:
  WarmedRate(int64_t length, double from) : length_(length), from_(from) {}
  void beforeMethods(Event e, const TrainState& s) override {
    if (e == Event::BeforeForward) scheduled_ = rateOf(s.optimizer);
  }
  void afterMethods(Event e, const TrainState& s) override {
    if (e != Event::BeforeForward) return;
    const double factor =
        s.step >= length_
            ? 1
            : from_ + (1 - from_) * static_cast<double>(s.step + 1) / static_cast<double>(length_);
    const double rate = rateOf(s.optimizer);
    expect(closeRate(rate, scheduled_ * factor),
           "step " + std::to_string(s.step) + " trains at " + std::to_string(rate) + ", expected " +
               std::to_string(scheduled_ * factor) + " (schedule " + std::to_string(scheduled_) +
               ")");
  }

private:
  int64_t length_;
  double from_;
  double scheduled_ = 0;
};

std::unique_ptr<Probe> warmupProbe(const plan::Plan& p) {
  const plan::Method* m = p.findMethod("warmup");
  return std::make_unique<WarmedRate>(std::llround(methodArgument(p, m->name, "length")),
                                      methodArgument(p, m->name, "from"));
}

const EffectRegistrar kEffect(MethodUnderTest{
    "warmup",
    "reorder training_algorithm dynamic domain warmup(length: 50%, from: 0.1)",
    {InputKind::Image, InputKind::Text},
    warmupProbe});
} // namespace
} // namespace fiver::composition
