// lars's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "runtime/optim/Lars.h"
#include "tests/composition/ProbeSupport.h"

#include <map>

namespace fiver::composition {
namespace {

// LARS: each weight's step is lr * local_lr * (g + weight_decay * w), with
// local_lr = trust * ||w|| / (||g|| + weight_decay * ||w|| + eps), through a
// momentum buffer (the first step's buffer is the step itself); biases and
// batch-norm tensors (`adapt` off) take lr * g through theirs. Computed here
// in fp64 from the weights and gradients the optimizer is handed, and
// compared with the step it took.
class LocalRateSteps : public Probe {
public:
  void afterMethods(Event e, const TrainState& s) override {
    if (e != Event::BeforeOptimizerStep) return;
    steps_.clear();
    if (!dynamic_cast<const runtime::Lars*>(&s.optimizer)) {
      expect(false, "step " + std::to_string(s.step) + " is not taken by lars");
      return;
    }
    for (const auto& group : s.optimizer.param_groups()) {
      const auto& o = static_cast<const runtime::LarsOptions&>(group.options());
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
                               std::to_string(off) + " away from the LARS step of largest entry " +
                               std::to_string(step.change.abs().max().item<double>()));
    }
  }

private:
  struct Step {
    torch::Tensor parameter, before, change;
  };

  // The change one step makes to `p`, updating the buffer kept here.
  torch::Tensor change(const torch::Tensor& p, const runtime::LarsOptions& o) {
    const torch::Tensor w = p.detach().to(torch::kFloat64), g = p.grad().to(torch::kFloat64);
    torch::Tensor direction = g;
    if (o.adapt()) {
      const double wn = w.norm().item<double>(), gn = g.norm().item<double>();
      const double localRate =
          wn > 0 && gn > 0 ? o.trust_coefficient() * wn / (gn + o.weight_decay() * wn + o.eps())
                           : 1.0;
      direction = localRate * (g + o.weight_decay() * w);
    }
    direction = o.lr() * direction;
    auto [at, fresh] = buffers_.try_emplace(p.unsafeGetTensorImpl(), direction);
    if (!fresh) at->second = o.momentum() * at->second + direction;
    return -at->second;
  }

  std::map<const void*, torch::Tensor> buffers_; // momentum, per parameter
  std::vector<Step> steps_; // this step's, computed before the optimizer takes it
};

const EffectRegistrar kEffect(MethodUnderTest{"lars",
                                              "replace training_algorithm dynamic domain lars",
                                              {InputKind::Image, InputKind::Text},
                                              [](const plan::Plan&) -> std::unique_ptr<Probe> {
                                                return std::make_unique<LocalRateSteps>();
                                              }});

} // namespace
} // namespace fiver::composition
