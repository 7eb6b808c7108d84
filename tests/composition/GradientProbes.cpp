// The gradient probe sam and efficient_sam share, read at
// BEFORE_OPTIMIZER_STEP once every method has acted.
#include "tests/composition/Probes.h"

namespace fiver::composition {

namespace {

// SAM: each step takes a second gradient (at the perturbed weights) and
// the optimizer starts from the unperturbed weights. efficient_sam does so
// on every k-th step only.
class SecondGradient : public Probe {
public:
  explicit SecondGradient(int64_t every) : every_(every) {}
  void afterMethods(Event e, const TrainState& s) override {
    if (e == Event::BatchStart) passesBefore_ = s.gradientEvaluations;
    if (e != Event::BeforeOptimizerStep) return;
    const int64_t passes = s.gradientEvaluations - passesBefore_;
    const int64_t expected = s.step % every_ == 0 ? 2 : 1;
    expect(passes == expected, "step " + std::to_string(s.step) + " took " +
                                   std::to_string(passes) + " gradients, expected " +
                                   std::to_string(expected));
    bool restored = weights_.size() == s.model->parameters().size();
    for (size_t i = 0; restored && i < weights_.size(); ++i)
      restored = torch::allclose(weights_[i], s.model->parameters()[i], 1e-5, 1e-6);
    expect(restored, "the optimizer steps from perturbed weights");
  }
  void beforeMethods(Event e, const TrainState& s) override {
    if (e != Event::BeforeOptimizerStep) return;
    weights_.clear();
    for (const torch::Tensor& p : s.model->parameters())
      weights_.push_back(p.detach().clone());
  }

private:
  int64_t every_;
  int64_t passesBefore_ = 0;
  std::vector<torch::Tensor> weights_;
};

} // namespace

std::unique_ptr<Probe> secondGradientProbe(int64_t every) {
  return std::make_unique<SecondGradient>(every);
}

} // namespace fiver::composition
