// Probes of the methods that set the learning rate of each step, read at
// BEFORE_FORWARD once every method has acted, and of evaluation settings.
#include "tests/composition/Probes.h"

#include <cmath>

namespace fiver::composition {

namespace {

double rateOf(const torch::optim::Optimizer& opt) {
  return opt.param_groups().at(0).options().get_lr();
}

bool close(double a, double b) {
  return std::abs(a - b) <= 1e-9 + 1e-6 * std::abs(b);
}

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
    expect(close(rate, scheduled_ * factor), "step " + std::to_string(s.step) + " trains at " +
                                                 std::to_string(rate) + ", expected " +
                                                 std::to_string(scheduled_ * factor) +
                                                 " (schedule " + std::to_string(scheduled_) + ")");
  }

private:
  int64_t length_;
  double from_;
  double scheduled_ = 0;
};

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
    expect(close(rate, expected), "step " + std::to_string(s.step) + " trains at " +
                                      std::to_string(rate) + ", expected " +
                                      std::to_string(expected));
  }

private:
  double peak_, divFactor_;
  int64_t cycle_;
};

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
    expect(close(rate, found->second), "step " + std::to_string(s.step) + " is scheduled at " +
                                           std::to_string(rate) + ", the test found " +
                                           std::to_string(found->second));
  }
};

// Flip TTA: evaluation averages each image with its mirror.
class FlippedEvaluation : public Probe {
public:
  void afterMethods(Event e, const TrainState& s) override {
    if (e == Event::EvalStart) expect(s.flipAtEvaluation, "evaluation does not flip");
  }
};

} // namespace

std::unique_ptr<Probe> warmupProbe(const plan::Plan& p) {
  const plan::Method* m = p.findMethod("warmup");
  return std::make_unique<WarmedRate>(std::llround(methodArgument(p, m->name, "length")),
                                      methodArgument(p, m->name, "from"));
}
std::unique_ptr<Probe> cyclicProbe(const plan::Plan& p) {
  const plan::Method* m = p.findMethod("cyclic_lr");
  return std::make_unique<CyclicRate>(plan::getNumber(p.optimizer.params, "lr", 0),
                                      methodArgument(p, m->name, "div_factor"),
                                      std::llround(methodArgument(p, m->name, "cycle")));
}
std::unique_ptr<Probe> foundRateProbe(const plan::Plan&) {
  return std::make_unique<FoundRate>();
}
std::unique_ptr<Probe> flipProbe(const plan::Plan&) {
  return std::make_unique<FlippedEvaluation>();
}

} // namespace fiver::composition
