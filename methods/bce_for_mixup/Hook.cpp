#include "methods/bce_for_mixup/Hook.h"
#include "runtime/methods/HookRegistry.h"

namespace fiver::runtime {

torch::Tensor binaryCrossEntropyLoss(const torch::Tensor& output, const torch::Tensor& targets,
                                     double smoothing, double threshold) {
  torch::Tensor t = targets.to(output.dtype());
  if (smoothing > 0) t = t * (1 - smoothing) + smoothing / static_cast<double>(t.size(1));
  if (threshold > 0) t = t.gt(threshold).to(output.dtype());
  // Summed over classes, averaged over the batch: the scale of cross-entropy,
  // so a learning rate tuned for it stays sensible.
  return torch::binary_cross_entropy_with_logits(output, t, {}, {}, at::Reduction::None)
      .sum(1)
      .mean();
}

// Replaces the loss the Trainer computed: its graph is dropped unused.
void BceForMixup::apply(Event, TrainState& s) {
  torch::Tensor targets = s.targets.defined()
                              ? s.targets
                              : torch::one_hot(s.labels, s.output.size(1)).to(s.output.dtype());
  s.loss = binaryCrossEntropyLoss(s.output, targets, smoothing_, threshold_);
}

namespace {
const HookRegistrar kHook("bce_for_mixup", [](const MethodArgs& args) {
  return std::make_unique<BceForMixup>(args.number("smoothing"), args.number("threshold"));
});
} // namespace

} // namespace fiver::runtime
