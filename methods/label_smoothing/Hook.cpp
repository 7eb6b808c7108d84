#include "methods/label_smoothing/Hook.h"
#include "runtime/methods/HookRegistry.h"

namespace fiver::runtime {

torch::Tensor smoothTargets(const torch::Tensor& labels, int64_t classes, double smoothing) {
  torch::Tensor onehot = torch::one_hot(labels, classes).to(torch::kFloat32);
  return onehot * (1 - smoothing) + smoothing / static_cast<double>(classes);
}

// The trainer's loss applies the smoothing (cross_entropy's label_smoothing
// computes exactly smoothTargets without materializing it); AFTER_LOSS
// restores the previous value so evaluation losses stay comparable.
void LabelSmoothing::apply(Event e, TrainState& s) {
  if (e == Event::BeforeLoss) {
    saved_ = s.labelSmoothing;
    s.labelSmoothing = smoothing_;
  } else {
    s.labelSmoothing = saved_;
  }
}

namespace {
const HookRegistrar kHook("label_smoothing", [](const MethodArgs& args) {
  return std::make_unique<LabelSmoothing>(args.number("smoothing"));
});
} // namespace

} // namespace fiver::runtime
