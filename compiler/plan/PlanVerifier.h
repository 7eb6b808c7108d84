// The consistency check a plan must pass before it runs: ops in order, and
// every op's attributes agreeing with the shapes it reads and writes. Plans
// from `5rc compile` always pass; a hand-edited plan that does not is
// refused with the op and the field at fault, instead of failing deep
// inside LibTorch. Torch-free, shared by the compiler and 5rc-exec.
#pragma once

#include "compiler/plan/Plan.h"

#include <string>
#include <vector>

namespace fiver::plan {

// One line per problem, each naming the op and its field; empty when the
// plan is consistent.
std::vector<std::string> verifyPlan(const Plan& plan);

// Throws PlanError ("PATH: problem", one line per problem) when verifyPlan
// finds any.
void requireConsistentPlan(const Plan& plan, const std::string& path);

} // namespace fiver::plan
