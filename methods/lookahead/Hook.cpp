#include "methods/lookahead/Hook.h"
#include "runtime/methods/HookRegistry.h"

#include <stdexcept>

namespace fiver::runtime {

void lookaheadSync(std::vector<torch::Tensor>& slow, const std::vector<torch::Tensor>& fast,
                   double alpha) {
  torch::NoGradGuard noGrad;
  for (size_t i = 0; i < slow.size(); ++i) {
    slow[i].lerp_(fast[i], alpha);
    fast[i].copy_(slow[i]);
  }
}

Lookahead::Lookahead(int64_t k, double alpha) : k_(k), alpha_(alpha) {
  if (k_ < 1) throw std::runtime_error("lookahead: k must be at least 1");
}

void Lookahead::apply(Event e, TrainState& s) {
  // Parameters only: batch-norm statistics are not optimized.
  std::vector<torch::Tensor> fast = s.model->parameters();
  if (e == Event::FitStart) {
    torch::NoGradGuard noGrad;
    slow_.clear();
    for (const torch::Tensor& p : fast)
      slow_.push_back(p.detach().clone());
    fastSteps_ = 0;
    return;
  }
  if (++fastSteps_ < k_) return;
  // A parameter that layer_freezing froze (and perhaps folded a batch norm
  // into) must stay where it froze: its slow copy follows it instead of
  // pulling it back towards weights from before the freeze.
  {
    torch::NoGradGuard noGrad;
    for (size_t i = 0; i < fast.size(); ++i)
      if (!fast[i].requires_grad()) slow_[i].copy_(fast[i]);
  }
  lookaheadSync(slow_, fast, alpha_);
  fastSteps_ = 0;
  ++syncs_;
}

void Lookahead::saveState(MethodState& out) const {
  for (size_t i = 0; i < slow_.size(); ++i)
    out["slow." + std::to_string(i)] = slow_[i];
  out["fast_steps"] = torch::tensor(fastSteps_);
  out["syncs"] = torch::tensor(syncs_);
}

void Lookahead::loadState(const MethodState& in) {
  torch::NoGradGuard noGrad;
  for (size_t i = 0; i < slow_.size(); ++i)
    slow_[i].copy_(in.at("slow." + std::to_string(i)));
  fastSteps_ = in.at("fast_steps").item<int64_t>();
  syncs_ = in.at("syncs").item<int64_t>();
}

namespace {
const HookRegistrar kHook("lookahead", [](const MethodArgs& args) {
  return std::make_unique<Lookahead>(args.integer("k"), args.number("alpha"));
});
} // namespace

} // namespace fiver::runtime
