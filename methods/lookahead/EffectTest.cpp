// lookahead's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "tests/composition/ProbeSupport.h"

#include <cmath>

namespace fiver::composition {
namespace {

// Lookahead: every k-th step moves the slow weights alpha of the way to the
// fast ones and restarts from them. Frozen parameters take no part.
class SlowWeights : public Probe {
public:
  SlowWeights(int64_t k, double alpha) : k_(k), alpha_(alpha) {}
  void beforeMethods(Event e, const TrainState& s) override {
    if (e == Event::AfterOptimizerStep) fast_ = copies(s.model->parameters());
  }
  void afterMethods(Event e, const TrainState& s) override {
    torch::NoGradGuard noGrad;
    if (e == Event::FitStart) slow_ = copies(s.model->parameters());
    if (e != Event::AfterOptimizerStep || (s.step + 1) % k_ != 0) return;
    std::vector<torch::Tensor> live = s.model->parameters();
    for (size_t i = 0; i < live.size(); ++i) {
      if (!live[i].requires_grad()) continue;
      slow_[i].lerp_(fast_[i], alpha_);
      // Entries a later method zeroed after the sync are that method's
      // effect (gradual_magnitude_pruning runs `after lookahead`).
      torch::Tensor expected = torch::where(live[i].eq(0), live[i], slow_[i]);
      const double off = (live[i] - expected).abs().max().item<double>();
      expect(off < 1e-5, "step " + std::to_string(s.step) + ": a parameter is " +
                             std::to_string(off) + " away from the slow weights");
    }
  }

private:
  int64_t k_;
  double alpha_;
  std::vector<torch::Tensor> slow_, fast_;
};

std::unique_ptr<Probe> lookaheadProbe(const plan::Plan& p) {
  const plan::Method* m = p.findMethod("lookahead");
  return std::make_unique<SlowWeights>(std::llround(methodArgument(p, m->name, "k")),
                                       methodArgument(p, m->name, "alpha"));
}

const EffectRegistrar kEffect(MethodUnderTest{
    "lookahead",
    "retrofit training_algorithm static domain lookahead(k: 2, alpha: 0.5)",
    {InputKind::Image, InputKind::Text},
    lookaheadProbe});
} // namespace
} // namespace fiver::composition
