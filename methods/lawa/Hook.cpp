#include "methods/lawa/Hook.h"
#include "runtime/methods/HookRegistry.h"
#include "runtime/train/FlopCharges.h"

#include <stdexcept>
#include <string>
#include <unordered_set>

namespace fiver::runtime {

void loadMeanOfStates(const std::vector<torch::Tensor>& live, const std::deque<SavedState>& states,
                      const std::vector<bool>& averaged) {
  if (states.empty()) return;
  torch::NoGradGuard noGrad;
  const double share = 1.0 / static_cast<double>(states.size());
  for (size_t i = 0; i < live.size(); ++i) {
    if (!averaged[i]) continue;
    // Accumulate in the live tensor's dtype and device (a resumed ring
    // arrives on the CPU).
    torch::Tensor sum = states.front()[i].to(live[i].device(), live[i].scalar_type(), false, true);
    for (size_t j = 1; j < states.size(); ++j)
      sum.add_(states[j][i].to(live[i].device(), live[i].scalar_type()));
    live[i].copy_(sum.mul_(share));
  }
}

std::vector<bool> averagedStateTensors(PlanModel& model) {
  // Statistics belong to their norm: they are frozen when its scale is.
  std::unordered_set<const void*> frozenStatistics;
  for (const auto& m : model->modules(/*include_self=*/false))
    if (auto* bn = dynamic_cast<torch::nn::BatchNorm2dImpl*>(m.get()))
      if (bn->weight.defined() && !bn->weight.requires_grad()) {
        frozenStatistics.insert(bn->running_mean.unsafeGetTensorImpl());
        frozenStatistics.insert(bn->running_var.unsafeGetTensorImpl());
      }
  const size_t parameters = model->parameters().size();
  const std::vector<torch::Tensor> state = model->stateTensors();
  std::vector<bool> averaged(state.size());
  for (size_t i = 0; i < state.size(); ++i) {
    const torch::Tensor& t = state[i];
    const bool trains =
        i < parameters ? t.requires_grad() : !frozenStatistics.count(t.unsafeGetTensorImpl());
    averaged[i] = t.is_floating_point() && trains;
  }
  return averaged;
}

Lawa::Lawa(int64_t k, int64_t everySteps, int64_t startStep)
    : k_(k), every_(everySteps), start_(startStep) {
  if (k_ < 1) throw std::runtime_error("lawa: k must be at least 1");
  if (every_ < 1) throw std::runtime_error("lawa: every must be at least one step");
}

// At the end of each period (an epoch by default), the state just reached
// joins the window and the model continues (and is evaluated) from the
// window's mean: "at the start of each epoch, the model parameters are the
// average of the last k prior states".
void Lawa::apply(Event, TrainState& s) {
  const int64_t stepsTaken = s.step + 1;
  if (stepsTaken < start_ || stepsTaken % every_ != 0) return;
  torch::NoGradGuard noGrad;
  std::vector<torch::Tensor> live = s.model->stateTensors();
  SavedState saved;
  for (const torch::Tensor& t : live)
    saved.push_back(t.detach().clone());
  states_.push_back(std::move(saved));
  if (static_cast<int64_t>(states_.size()) > k_) states_.pop_front();
  if (states_.size() < 2) return; // the mean of one state is that state
  const std::vector<bool> averaged = averagedStateTensors(s.model);
  loadMeanOfStates(live, states_, averaged);
  std::vector<torch::Tensor> charged;
  for (size_t i = 0; i < live.size(); ++i)
    if (averaged[i]) charged.push_back(live[i]);
  // A sum of the window's states and one scaling: one FLOP a state.
  chargeElementwise(s, FlopKind::Averaging, charged, static_cast<double>(states_.size()));
}

void Lawa::saveState(MethodState& out) const {
  out["states"] = torch::tensor(static_cast<int64_t>(states_.size()));
  for (size_t j = 0; j < states_.size(); ++j)
    for (size_t i = 0; i < states_[j].size(); ++i)
      out["state." + std::to_string(j) + "." + std::to_string(i)] = states_[j][i];
}

void Lawa::loadState(const MethodState& in) {
  states_.clear();
  const int64_t count = in.at("states").item<int64_t>();
  for (int64_t j = 0; j < count; ++j) {
    SavedState state;
    const std::string prefix = "state." + std::to_string(j) + ".";
    for (size_t i = 0; in.count(prefix + std::to_string(i)); ++i)
      state.push_back(in.at(prefix + std::to_string(i)).clone());
    states_.push_back(std::move(state));
  }
}

namespace {
const HookRegistrar kHook("lawa", [](const MethodArgs& args) {
  return std::make_unique<Lawa>(args.integer("k"), args.integer("every"),
                                args.stepOrFraction("start"));
});
} // namespace

} // namespace fiver::runtime
