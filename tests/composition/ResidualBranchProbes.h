// What probes of methods that act on whole residual branches
// (stochastic_depth, progressive_growing) share: a branch's ops, as the
// runtime tells branch and skip apart, and whether it trained in a step.
#pragma once

#include "runtime/model/PlanModel.h"

#include <optional>
#include <set>
#include <vector>

namespace fiver::composition {

// The ops of a residual add's branch: those its branch input reads from that
// its skip input does not.
std::set<int> branchOps(const std::vector<plan::Op>& ops, int add);

// Whether any trainable parameter of the branch got a gradient other than
// zero; nullopt when the branch has no trainable parameter.
std::optional<bool> branchGotGradient(runtime::PlanModel& model, const std::set<int>& branch);

} // namespace fiver::composition
