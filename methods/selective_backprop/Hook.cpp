#include "methods/selective_backprop/Hook.h"
#include "runtime/methods/HookRegistry.h"
#include "runtime/train/FlopCharges.h"
#include "runtime/train/Loss.h"

#include <cmath>

namespace fiver::runtime {

torch::Tensor perExampleLoss(const torch::Tensor& output, const torch::Tensor& labels,
                             const torch::Tensor& targets) {
  if (targets.defined()) return -(targets * torch::log_softmax(output, 1)).sum(1);
  return crossEntropyPerExample(output, labels);
}

torch::Tensor highestLosses(const torch::Tensor& losses, double keep) {
  const int64_t n = losses.size(0);
  const int64_t k =
      std::clamp<int64_t>(static_cast<int64_t>(std::ceil(keep * static_cast<double>(n))), 1, n);
  return std::get<1>(losses.topk(k));
}

// Inside [start, end), except every (interrupt + 1)-th step, which trains on
// the whole batch so the model keeps seeing the easy examples.
bool SelectiveBackprop::match(Event e, const TrainState& s) const {
  if (e != Event::AfterData || s.step < startStep_ || s.step >= endStep_) return false;
  return interrupt_ == 0 || (s.step + 1) % (interrupt_ + 1) != 0;
}

void SelectiveBackprop::apply(Event, TrainState& s) {
  torch::Tensor keep;
  {
    torch::NoGradGuard noGrad; // the scoring pass builds no graph
    // The scoring pass runs in training mode, so that it ranks the examples
    // by the losses the step's own forward computes (batch statistics, not
    // running ones that lag behind early in training); the batch-norm
    // statistics it updates are put back, since they count the step's
    // training pass only (as recomputeGradients does for SAM).
    std::vector<torch::Tensor> buffers = s.model->buffers(), saved;
    for (const torch::Tensor& b : buffers)
      saved.push_back(b.clone());
    torch::Tensor output = s.model->forward(s.images);
    for (size_t i = 0; i < buffers.size(); ++i)
      buffers[i].copy_(saved[i]);
    chargeForward(s, FlopKind::Scoring, s.images); // the step counts only the kept examples
    keep = highestLosses(perExampleLoss(output, s.labels, s.targets), keep_);
  }
  s.images = s.images.index_select(0, keep);
  s.labels = s.labels.index_select(0, keep);
  if (s.targets.defined()) s.targets = s.targets.index_select(0, keep);
  ++selectedSteps_;
}

namespace {
const HookRegistrar kHook("selective_backprop", [](const MethodArgs& args) {
  return std::make_unique<SelectiveBackprop>(args.number("keep"), args.budgetStep("start"),
                                             args.budgetStep("end"), args.integer("interrupt"));
});
} // namespace

} // namespace fiver::runtime
