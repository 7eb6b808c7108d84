// lamb's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "runtime/optim/Lamb.h"
#include "tests/composition/HandComputedSteps.h"

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
class TrustRatioSteps : public HandComputedSteps<runtime::Lamb, runtime::LambOptions> {
public:
  TrustRatioSteps() : HandComputedSteps("lamb") {}

private:
  // The change one step makes to `p`, updating the moments kept here.
  torch::Tensor expectedChange(const torch::Tensor& p, const runtime::LambOptions& o) override {
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
};

const EffectRegistrar kEffect(MethodUnderTest{
    "lamb",
    "replace training_algorithm dynamic domain lamb",
    {InputKind::Image, InputKind::Text},
    [](const plan::Plan&) -> std::unique_ptr<Probe> { return std::make_unique<TrustRatioSteps>(); },
    {{"channel_pruning", "its prune step narrows the weights whose "
                         "steps this probe computes from its own copy "
                         "of the optimizer's state"}}});

} // namespace
} // namespace fiver::composition
