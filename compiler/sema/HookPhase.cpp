#include "compiler/sema/HookPhase.h"

namespace fiver {

// Each phase reads what the phases before it produced: the optimizer exists
// before a schedule sweeps rates with it; batch transforms see the scheduled
// batch; loss transforms see the transformed batch; gradient transforms
// (communication, centralization, clipping last) see the final gradient,
// including one that a sharpness-aware method recomputed; averaging reads the
// weights after every update rule has run.
const std::vector<HookPhase>& hookPhases() {
  static const std::vector<HookPhase> phases = {
      {"initialization", "sets the initial weights, before training starts"},
      {"optimizer", "replaces the optimizer, before any step uses it"},
      {"schedule", "sets the learning rate of each step"},
      {"data", "selects, orders or transforms the examples of each batch"},
      {"model", "changes which parts of the model run or train at a step"},
      {"loss", "transforms the loss of every pass that makes the update"},
      {"gradient", "computes the gradient the update uses (e.g. at a perturbed point)"},
      {"gradient_transform", "communicates, centers or clips the final gradient"},
      {"update", "changes the weights right after the optimizer step"},
      {"averaging", "keeps an average of the updated weights and evaluates with it"},
      {"evaluation", "changes how the model is evaluated"},
  };
  return phases;
}

std::optional<int> hookPhaseRank(std::string_view name) {
  const std::vector<HookPhase>& phases = hookPhases();
  for (size_t i = 0; i < phases.size(); ++i)
    if (phases[i].name == name) return static_cast<int>(i);
  return std::nullopt;
}

} // namespace fiver
