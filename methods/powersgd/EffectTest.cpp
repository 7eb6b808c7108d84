// powersgd's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "runtime/methods/OptimizedParameters.h"
#include "tests/composition/Probe.h"

#include <algorithm>
#include <cmath>

namespace fiver::composition {
namespace {

// PowerSGD: each weight-matrix gradient the backward pass leaves has rank
// at most `rank` (seen as out x fan_in).
class LowRankGradients : public Probe {
public:
  explicit LowRankGradients(int64_t rank) : rank_(rank) {}
  void afterMethods(Event e, const TrainState& s) override {
    if (e != Event::AfterBackward) return;
    for (const torch::Tensor& p : runtime::optimizedParameters(s.optimizer)) {
      if (p.dim() < 2 || !p.grad().defined()) continue;
      torch::Tensor m = p.grad().flatten(1).to(torch::kFloat64);
      if (std::min(m.size(0), m.size(1)) <= rank_) continue;
      torch::Tensor singular = at::linalg_svdvals(m);
      const double top = singular[0].item<double>();
      expect(singular[rank_].item<double>() <= 1e-6 * top + 1e-12,
             "step " + std::to_string(s.step) + ": a gradient has rank above " +
                 std::to_string(rank_));
    }
  }

private:
  int64_t rank_;
};

std::unique_ptr<Probe> lowRankProbe(const plan::Plan& p) {
  return std::make_unique<LowRankGradients>(std::llround(methodArgument(p, "powersgd", "rank")));
}

const EffectRegistrar kEffect(MethodUnderTest{
    "powersgd",
    "restrict derived_data static domain powersgd(rank: 1)",
    {InputKind::Image, InputKind::Text},
    lowRankProbe});
} // namespace
} // namespace fiver::composition
