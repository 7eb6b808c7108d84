#include "methods/warmup/Hook.h"
#include "runtime/methods/HookRegistry.h"

#include "runtime/optim/Optimizer.h"

#include <cmath>
#include <stdexcept>

namespace fiver::runtime {

double warmupFactor(int64_t step, int64_t length, double from, const std::string& shape) {
  if (step >= length) return 1;
  // (step + 1): the first step already moves, the last warm step reaches 1.
  const double t = static_cast<double>(step + 1) / static_cast<double>(length);
  const double ramp = shape == "cosine" ? 0.5 * (1 - std::cos(M_PI * t)) : t;
  return from + (1 - from) * ramp;
}

Warmup::Warmup(int64_t lengthSteps, double from, std::string shape)
    : length_(lengthSteps), from_(from), shape_(std::move(shape)) {
  if (shape_ != "linear" && shape_ != "cosine")
    throw std::runtime_error("warmup: unknown shape '" + shape_ + "' (known: linear, cosine)");
}

void Warmup::apply(Event, TrainState& s) {
  const double factor = warmupFactor(s.step, length_, from_, shape_);
  if (factor == 1) return;
  // Composes with any schedule: scales whatever rate is set for this step.
  for (auto& group : s.optimizer.param_groups())
    group.options().set_lr(group.options().get_lr() * factor);
}

namespace {
const HookRegistrar kHook("warmup", [](const MethodArgs& args) {
  // `length` arrives in steps (durations are lowered to steps).
  return std::make_unique<Warmup>(args.integer("length"), args.number("from"), args.name("shape"));
});
} // namespace

} // namespace fiver::runtime
