#include "methods/stochastic_depth/Hook.h"
#include "runtime/methods/HookRegistry.h"

namespace fiver::runtime {

// Huang et al.: the l-th of L residual branches is dropped with probability
// drop * l / L, for the whole batch so its compute is skipped; a kept branch
// is scaled by 1 / (1 - p) so evaluation needs no rescaling.
double branchDropProbability(double drop, size_t index, size_t count) {
  return drop * static_cast<double>(index + 1) / static_cast<double>(count);
}

void StochasticDepth::apply(Event e, TrainState& s) {
  if (e == Event::AfterForward) {
    s.model->setBranchDrops({}, {});
    return;
  }
  std::vector<int> adds = s.model->residualAdds();
  if (adds.empty()) return;
  torch::Tensor draws = torch::rand({static_cast<int64_t>(adds.size())}, torch::kFloat64);
  std::set<int> dropped;
  std::map<int, double> scales;
  for (size_t i = 0; i < adds.size(); ++i) {
    // The stochastic_depth pass plans each branch's rate; plans without it
    // get the same linear rule here.
    const double planned = plan::getNumber(s.model->ops()[adds[i]].attrs, "drop", -1);
    const double p = planned >= 0 ? planned : branchDropProbability(drop_, i, adds.size());
    if (draws[static_cast<int64_t>(i)].item<double>() < p)
      dropped.insert(adds[i]);
    else if (p > 0)
      scales[adds[i]] = 1.0 / (1.0 - p);
  }
  droppedCount_ += dropped.size();
  if (s.flops) s.flops->dropBranches(dropped); // skipped work is not counted
  s.model->setBranchDrops(std::move(dropped), std::move(scales));
}

namespace {
const HookRegistrar kHook("stochastic_depth", [](const MethodArgs& args) {
  return std::make_unique<StochasticDepth>(args.number("drop"));
});
} // namespace

} // namespace fiver::runtime
