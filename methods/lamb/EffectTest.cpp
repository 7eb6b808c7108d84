// lamb's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "runtime/optim/Lamb.h"
#include "tests/composition/ProbeSupport.h"

#include <cmath>
#include <map>

namespace fiver::composition {
namespace {

// Adam's moments of one parameter, kept here beside the optimizer's own.
struct Moments {
  torch::Tensor first, second;
  int64_t steps = 0;
};

// LAMB: every step moves each weight by lr * r * u, where u is Adam's
// bias-corrected update plus weight_decay * w, and r = ||w|| / ||u|| the trust
// ratio; biases and batch-norm tensors (`adapt` off) take the plain Adam
// step. Computed here in fp64 from the weights and gradients the optimizer
// is handed, and compared with the step it took.
class TrustRatioSteps : public Probe {
public:
  void afterMethods(Event e, const TrainState& s) override {
    if (e != Event::BeforeOptimizerStep) return;
    steps_.clear();
    if (!dynamic_cast<const runtime::Lamb*>(&s.optimizer)) {
      expect(false, "step " + std::to_string(s.step) + " is not taken by lamb");
      return;
    }
    for (const auto& group : s.optimizer.param_groups()) {
      const auto& o = static_cast<const runtime::LambOptions&>(group.options());
      for (const torch::Tensor& p : group.params())
        if (p.grad().defined()) steps_.push_back({p, p.detach().to(torch::kFloat64), change(p, o)});
    }
  }
  void beforeMethods(Event e, const TrainState& s) override {
    if (e != Event::AfterOptimizerStep) return;
    for (const Step& step : steps_) {
      // fp32 weights round their change to about 1e-7 of their size.
      const torch::Tensor moved = step.parameter.detach().to(torch::kFloat64) - step.before;
      const double off = (moved - step.change).abs().max().item<double>();
      const double bound = 1e-3 * step.change.abs().max().item<double>() +
                           1e-6 * step.before.abs().max().item<double>();
      expect(off <= bound, "step " + std::to_string(s.step) + ": a parameter moved " +
                               std::to_string(off) + " away from the LAMB step of largest entry " +
                               std::to_string(step.change.abs().max().item<double>()));
    }
  }

private:
  struct Step {
    torch::Tensor parameter, before, change;
  };

  // The change one step makes to `p`, updating the moments kept here.
  torch::Tensor change(const torch::Tensor& p, const runtime::LambOptions& o) {
    const torch::Tensor w = p.detach().to(torch::kFloat64), g = p.grad().to(torch::kFloat64);
    Moments& m = moments_[p.unsafeGetTensorImpl()];
    if (m.steps == 0) {
      m.first = torch::zeros_like(w);
      m.second = torch::zeros_like(w);
    }
    ++m.steps;
    m.first = o.beta1() * m.first + (1 - o.beta1()) * g;
    m.second = o.beta2() * m.second + (1 - o.beta2()) * g * g;
    const double t = static_cast<double>(m.steps);
    torch::Tensor u = (m.first / (1 - std::pow(o.beta1(), t))) /
                      ((m.second / (1 - std::pow(o.beta2(), t))).sqrt() + o.eps());
    double ratio = 1;
    if (o.adapt()) {
      u = u + o.weight_decay() * w;
      const double wn = w.norm().item<double>(), un = u.norm().item<double>();
      if (wn > 0 && un > 0) ratio = wn / un;
    }
    return -o.lr() * ratio * u;
  }

  std::map<const void*, Moments> moments_;
  std::vector<Step> steps_; // this step's, computed before the optimizer takes it
};

const EffectRegistrar kEffect(MethodUnderTest{"lamb",
                                              "replace training_algorithm dynamic domain lamb",
                                              {InputKind::Image, InputKind::Text},
                                              [](const plan::Plan&) -> std::unique_ptr<Probe> {
                                                return std::make_unique<TrustRatioSteps>();
                                              }});

} // namespace
} // namespace fiver::composition
