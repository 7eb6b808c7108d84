#include "methods/cyclic_lr/Hook.h"
#include "runtime/methods/HookRegistry.h"

#include "runtime/optim/Optimizer.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace fiver::runtime {

double cyclicLearningRate(int64_t step, double peak, double divFactor, int64_t cycleSteps,
                          const std::string& mode) {
  const int64_t cycle = std::max<int64_t>(2, cycleSteps);
  const double base = peak / divFactor;
  const double half = static_cast<double>(cycle) / 2;
  const double x = static_cast<double>(step % cycle) / half; // 0 .. 2
  const double triangle = x < 1 ? x : 2 - x;
  double amplitude = 1;
  if (mode == "triangular2")
    amplitude = std::pow(0.5, static_cast<double>(step / cycle));
  else if (mode == "exp_range")
    amplitude = std::pow(0.5, static_cast<double>(step) / static_cast<double>(cycle));
  return base + (peak - base) * triangle * amplitude;
}

CyclicLr::CyclicLr(double peak, double divFactor, int64_t cycleSteps, std::string mode)
    : peak_(peak), divFactor_(divFactor), cycle_(cycleSteps), mode_(std::move(mode)) {
  if (mode_ != "triangular" && mode_ != "triangular2" && mode_ != "exp_range")
    throw std::runtime_error("cyclic_lr: unknown mode '" + mode_ +
                             "' (known: triangular, triangular2, exp_range)");
}

// Replaces the scheduled rate: the cycles are the schedule. Their peak is
// the optimizer's rate, or the one lr_range_test chose before training.
void CyclicLr::apply(Event, TrainState& s) {
  auto found = s.findings.find("lr_range_test.lr");
  const double peak = found != s.findings.end() ? found->second : peak_;
  setLearningRate(s.optimizer, cyclicLearningRate(s.step, peak, divFactor_, cycle_, mode_));
}

namespace {
const HookRegistrar kHook("cyclic_lr", [](const MethodArgs& args) {
  return std::make_unique<CyclicLr>(peakLearningRate(args.plan().optimizer),
                                    args.number("div_factor"), args.integer("cycle"),
                                    args.name("mode"));
});
} // namespace

} // namespace fiver::runtime
