// ema's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "tests/composition/ProbeSupport.h"

#include <algorithm>
#include <cmath>

namespace fiver::composition {
namespace {

// EMA: evaluation runs on the exponential average of the weights and
// batch-norm statistics after each step, with decay 0.5^(1 / half_life).
class EvaluatesEma : public Probe {
public:
  explicit EvaluatesEma(double halfLife) : decay_(std::pow(0.5, 1 / std::max(1.0, halfLife))) {}
  void afterMethods(Event e, const TrainState& s) override {
    torch::NoGradGuard noGrad;
    if (e == Event::FitStart) average_ = copies(s.model->stateTensors());
    if (e == Event::AfterOptimizerStep) {
      std::vector<torch::Tensor> live = s.model->stateTensors();
      for (size_t i = 0; i < average_.size(); ++i)
        if (average_[i].is_floating_point()) average_[i].lerp_(live[i], 1 - decay_);
    }
    if (e == Event::EvalStart) {
      const double off = largestDifference(s.model->stateTensors(), average_);
      expect(off < 1e-5, "evaluation runs on weights " + std::to_string(off) +
                             " away from the exponential average");
    }
  }

private:
  double decay_;
  std::vector<torch::Tensor> average_;
};

std::unique_ptr<Probe> emaProbe(const plan::Plan& p) {
  return std::make_unique<EvaluatesEma>(methodArgument(p, "ema", "half_life"));
}

const EffectRegistrar kEffect(MethodUnderTest{
    "ema",
    "retrofit model_parameters dynamic domain ema(half_life: 2 steps)",
    {InputKind::Image, InputKind::Text},
    emaProbe});
} // namespace
} // namespace fiver::composition
