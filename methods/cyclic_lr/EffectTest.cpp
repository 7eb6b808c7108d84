// cyclic_lr's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "tests/composition/ProbeSupport.h"

#include <cmath>

namespace fiver::composition {
namespace {

// Cyclic (triangular): from peak / div_factor up to the peak and back every
// cycle; the peak is the optimizer's rate or the one lr_range_test found.
class CyclicRate : public Probe {
public:
  CyclicRate(double peak, double divFactor, int64_t cycle)
      : peak_(peak), divFactor_(divFactor), cycle_(cycle) {}
  void afterMethods(Event e, const TrainState& s) override {
    if (e != Event::BeforeForward) return;
    auto found = s.findings.find("lr_range_test.lr");
    const double peak = found != s.findings.end() ? found->second : peak_;
    const double base = peak / divFactor_;
    const double position = static_cast<double>(s.step % cycle_) / (cycle_ / 2.0);
    const double expected = base + (peak - base) * (position < 1 ? position : 2 - position);
    const double rate = rateOf(s.optimizer);
    expect(closeRate(rate, expected), "step " + std::to_string(s.step) + " trains at " +
                                          std::to_string(rate) + ", expected " +
                                          std::to_string(expected));
  }

private:
  double peak_, divFactor_;
  int64_t cycle_;
};

std::unique_ptr<Probe> cyclicProbe(const plan::Plan& p) {
  const plan::Method* m = p.findMethod("cyclic_lr");
  return std::make_unique<CyclicRate>(plan::getNumber(p.optimizer.params, "lr", 0),
                                      methodArgument(p, m->name, "div_factor"),
                                      std::llround(methodArgument(p, m->name, "cycle")));
}

const EffectRegistrar kEffect(MethodUnderTest{
    "cyclic_lr",
    "reorder training_algorithm dynamic domain cyclic_lr(div_factor: 10, cycle: 2 steps)",
    {InputKind::Image, InputKind::Text},
    cyclicProbe});
} // namespace
} // namespace fiver::composition
