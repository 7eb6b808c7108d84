// label_smoothing's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "tests/composition/ProbeSupport.h"

namespace fiver::composition {
namespace {

// Cross-entropy against targets smoothed towards the uniform distribution.
class SmoothedLoss : public Probe {
public:
  explicit SmoothedLoss(double smoothing) : smoothing_(smoothing) {}
  void afterMethods(Event e, const TrainState& s) override {
    if (e != Event::AfterLoss) return;
    torch::NoGradGuard noGrad;
    torch::Tensor logits = s.output.detach().to(torch::kFloat32);
    torch::Tensor targets;
    if (s.targets.defined()) {
      targets = s.targets;
    } else {
      logits = logits.reshape({-1, logits.size(-1)});
      targets = torch::one_hot(s.labels.reshape({-1}), logits.size(1)).to(torch::kFloat32);
    }
    const double classes = static_cast<double>(logits.size(1));
    targets = targets * (1 - smoothing_) + smoothing_ / classes;
    const double expected = -(targets * torch::log_softmax(logits, 1)).sum(1).mean().item<double>();
    const double actual = s.loss.item<double>();
    expect(closeLoss(actual, expected),
           "not the smoothed cross-entropy: " + lossComparison(actual, expected));
  }

private:
  double smoothing_;
};

std::unique_ptr<Probe> smoothedLossProbe(const plan::Plan& p) {
  return std::make_unique<SmoothedLoss>(methodArgument(p, "label_smoothing", "smoothing"));
}

const EffectRegistrar kEffect(MethodUnderTest{
    "label_smoothing",
    "replace training_objective static domain label_smoothing(0.2)",
    {InputKind::Image, InputKind::Text},
    smoothedLossProbe});
} // namespace
} // namespace fiver::composition
