// Probes of the methods that replace the loss: the loss every update
// differentiates, recomputed here from the output and the targets.
#include "tests/composition/Probes.h"

#include <algorithm>
#include <cmath>

namespace fiver::composition {

namespace {

bool close(double actual, double expected) {
  return std::abs(actual - expected) <= 1e-4 * std::max(1.0, std::abs(expected));
}

std::string compare(double actual, double expected) {
  return "loss " + std::to_string(actual) + ", expected " + std::to_string(expected);
}

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
    expect(close(actual, expected), "not the smoothed cross-entropy: " + compare(actual, expected));
  }

private:
  double smoothing_;
};

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
    expect(close(actual, expected), "not the binary cross-entropy: " + compare(actual, expected));
  }

private:
  double smoothing_;
};

} // namespace

std::unique_ptr<Probe> smoothedLossProbe(const plan::Plan& p) {
  return std::make_unique<SmoothedLoss>(methodArgument(p, "label_smoothing", "smoothing"));
}
std::unique_ptr<Probe> binaryLossProbe(const plan::Plan& p) {
  return std::make_unique<BinaryLoss>(methodArgument(p, "bce_for_mixup", "smoothing"));
}

} // namespace fiver::composition
