// gradual_magnitude_pruning's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "compiler/plan/OpKinds.h"
#include "tests/composition/Probe.h"

namespace fiver::composition {
namespace {

// Gradual magnitude pruning: after each optimizer step, and in the model
// that is evaluated, every weight matrix has at least the scheduled share
// of zeros. The recipe line reaches its final sparsity at the first step.
class SparseWeights : public Probe {
public:
  explicit SparseWeights(double sparsity) : sparsity_(sparsity) {}
  void afterMethods(Event e, const TrainState& s) override {
    if (e != Event::AfterOptimizerStep && e != Event::EvalStart) return;
    for (const plan::Op& op : s.model->ops()) {
      if (!plan::ownsWeightMatrix(op)) continue;
      torch::Tensor w = s.model->parametersOf(op.name)[0];
      const int64_t zeros = w.eq(0).sum().item<int64_t>();
      const auto least = static_cast<int64_t>(sparsity_ * static_cast<double>(w.numel()));
      expect(zeros >= least, std::string(e == Event::EvalStart ? "the evaluated " : "") + op.name +
                                 " has " + std::to_string(zeros) + " zeros of " +
                                 std::to_string(w.numel()) + " (step " + std::to_string(s.step) +
                                 "), expected at least " + std::to_string(least));
    }
  }

private:
  double sparsity_;
};

std::unique_ptr<Probe> pruningProbe(const plan::Plan& p) {
  return std::make_unique<SparseWeights>(
      methodArgument(p, "gradual_magnitude_pruning", "final_sparsity"));
}

const EffectRegistrar kEffect(MethodUnderTest{
    "gradual_magnitude_pruning",
    "remove model_parameters dynamic domain gradual_magnitude_pruning(final_sparsity: 50%, "
    "start: 0%, end: 34%, frequency: 1 steps)",
    {InputKind::Image, InputKind::Text},
    pruningProbe});
} // namespace
} // namespace fiver::composition
