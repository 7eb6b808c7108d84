// What FusedSgd and FusedAdamW share: the shape of a fused step, which of a
// group's parameters it walks, state tensors brought to their parameter's
// layout, and the note printed when a step falls back to torch::optim's own.
#pragma once

#include <torch/torch.h>

#include <optional>
#include <set>
#include <string>
#include <vector>

namespace fiver::runtime {

// The parameters of a group that have a gradient (frozen ones are skipped,
// as torch::optim does), all fp32, dense and on one device.
struct FusedGroup {
  std::vector<torch::Tensor> params;
  bool cuda = false;
};

// nullopt with `why` when the group cannot take a fused step.
std::optional<FusedGroup> fusedGroup(const torch::optim::OptimizerParamGroup& group,
                                     std::string& why);

// Re-lays out `state` like `param` when it differs (checkpoints load state
// tensors contiguous, parameters may be channels-last); values are kept.
// Returns why it cannot be ("" on success).
std::string matchParamLayout(const torch::Tensor& param, torch::Tensor& state);

// Tells, once per distinct reason, that an optimizer took its unfused step.
class FallbackNotice {
public:
  void note(const char* optimizer, const std::string& why);

private:
  std::set<std::string> seen_;
};

// One optimizer step. Every group is prepared first: if any cannot take a
// fused step, `unfused(why)` takes torch::optim's step for all of them, so a
// step is never half fused. Otherwise `run` steps each prepared group.
template <typename GroupStep, typename Prepare, typename Run, typename Unfused>
torch::Tensor fusedOptimizerStep(std::vector<torch::optim::OptimizerParamGroup>& groups,
                                 const torch::optim::Optimizer::LossClosure& closure,
                                 Prepare prepare, Run run, Unfused unfused) {
  torch::Tensor loss;
  if (closure) {
    at::AutoGradMode enableGrad(true);
    loss = closure();
  }
  torch::NoGradGuard noGrad;
  std::vector<GroupStep> steps;
  for (auto& group : groups) {
    std::string why;
    std::optional<GroupStep> s = prepare(group, why);
    if (!s) {
      unfused(why);
      return loss;
    }
    steps.push_back(std::move(*s));
  }
  for (GroupStep& s : steps)
    run(s);
  return loss;
}

} // namespace fiver::runtime
