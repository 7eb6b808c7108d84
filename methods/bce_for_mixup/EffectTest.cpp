// bce_for_mixup's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "tests/composition/ProbeSupport.h"

namespace fiver::composition {
namespace {

// Binary cross-entropy per class against the (smoothed) targets.
class BinaryLoss : public Probe {
public:
  explicit BinaryLoss(double smoothing) : smoothing_(smoothing) {}
  void afterMethods(Event e, const TrainState& s) override {
    if (e != Event::AfterLoss) return;
    torch::NoGradGuard noGrad;
    torch::Tensor logits = s.output.detach().to(torch::kFloat32);
    torch::Tensor targets = s.targets.defined()
                                ? s.targets
                                : torch::one_hot(s.labels, logits.size(1)).to(torch::kFloat32);
    const double classes = static_cast<double>(logits.size(1));
    targets = targets * (1 - smoothing_) + smoothing_ / classes;
    namespace F = torch::nn::functional;
    const double expected =
        F::binary_cross_entropy_with_logits(
            logits, targets, F::BinaryCrossEntropyWithLogitsFuncOptions().reduction(torch::kSum))
            .item<double>() /
        static_cast<double>(logits.size(0));
    const double actual = s.loss.item<double>();
    expect(closeLoss(actual, expected),
           "not the binary cross-entropy: " + lossComparison(actual, expected));
  }

private:
  double smoothing_;
};

std::unique_ptr<Probe> binaryLossProbe(const plan::Plan& p) {
  return std::make_unique<BinaryLoss>(methodArgument(p, "bce_for_mixup", "smoothing"));
}

const EffectRegistrar kEffect(MethodUnderTest{
    "bce_for_mixup",
    "replace training_objective static domain bce_for_mixup(smoothing: 0.1)",
    {InputKind::Image},
    binaryLossProbe});
} // namespace
} // namespace fiver::composition
