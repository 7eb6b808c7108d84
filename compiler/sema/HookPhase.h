// The phases of a training step that method hooks belong to, in the order
// their hooks run. A method declares its phase (`phase loss`); the checker
// orders a recipe's methods by phase, then by declared `after`, then by name,
// so that the order a recipe's lines are written in never changes the run.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fiver {

struct HookPhase {
  std::string_view name;
  std::string_view meaning; // one line, for hover text and `5rc explain`
};

// Every phase, first to last.
const std::vector<HookPhase>& hookPhases();

// The position of `name` in hookPhases(), or nullopt for an unknown phase.
std::optional<int> hookPhaseRank(std::string_view name);

} // namespace fiver
