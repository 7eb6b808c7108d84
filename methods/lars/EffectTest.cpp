// lars's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "runtime/optim/Lars.h"
#include "tests/composition/HandComputedSteps.h"

#include <map>

namespace fiver::composition {
namespace {

// LARS: each weight's step is lr * local_lr * (g + weight_decay * w), with
// local_lr = trust * ||w|| / (||g|| + weight_decay * ||w|| + eps), through a
// momentum buffer (the first step's buffer is the step itself); biases and
// batch-norm tensors (`adapt` off) take lr * g through theirs. Computed here
// in fp64 from the weights and gradients the optimizer is handed, and
// compared with the step it took.
class LocalRateSteps : public HandComputedSteps<runtime::Lars, runtime::LarsOptions> {
public:
  LocalRateSteps() : HandComputedSteps("lars") {}

private:
  // The change one step makes to `p`, updating the buffer kept here.
  torch::Tensor expectedChange(const torch::Tensor& p, const runtime::LarsOptions& o) override {
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
};

const EffectRegistrar kEffect(MethodUnderTest{
    "lars",
    "replace training_algorithm dynamic domain lars",
    {InputKind::Image, InputKind::Text},
    [](const plan::Plan&) -> std::unique_ptr<Probe> { return std::make_unique<LocalRateSteps>(); },
    {{"channel_pruning", "its prune step narrows the weights whose "
                         "steps this probe computes from its own copy "
                         "of the optimizer's state"}}});

} // namespace
} // namespace fiver::composition
