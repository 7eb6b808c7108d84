#include "methods/stochastic_depth/Pass.h"
#include "passes/PassRegistry.h"

#include "compiler/plan/OpKinds.h"
#include "passes/MethodParams.h"

#include <algorithm>
#include <cstdio>
#include <set>

namespace fiver::passes {

namespace {

// Every op `from` depends on, itself included.
std::set<ir::OpId> ancestors(const ir::TrainingGraph& g, ir::OpId from) {
  std::set<ir::OpId> seen;
  std::vector<ir::OpId> todo = {from};
  while (!todo.empty()) {
    const ir::OpId v = todo.back();
    todo.pop_back();
    if (!seen.insert(v).second) continue;
    for (ir::OpId in : g.inputsOf(v))
      todo.push_back(in);
  }
  return seen;
}

// An add joins a branch back to its shortcut when both inputs depend on a
// common op (the block's input); a learned table added to the data (a
// transformer's position embedding) is no residual. The runtime uses the
// same rule (runtime/model/ResidualSkip.h).
bool isResidualAdd(const ir::TrainingGraph& g, ir::OpId add) {
  const std::vector<ir::OpId> ins = g.inputsOf(add);
  if (ins.size() != 2 || ins[0] == ins[1]) return false;
  const std::set<ir::OpId> a = ancestors(g, ins[0]), b = ancestors(g, ins[1]);
  return std::any_of(a.begin(), a.end(), [&](ir::OpId v) { return b.count(v) > 0; });
}

} // namespace

bool StochasticDepthPass::run(ir::TrainingGraph& g, DiagnosticEngine&) {
  const MethodUse* m = g.findMethod(std::string(enabledBy()));
  if (!m) return false;
  const double drop = numberParam(*m, "drop", 0.1);
  std::vector<ir::OpId> adds;
  for (ir::OpId v : g.opsInOrder())
    if (plan::isKind(g.model[v].kind, plan::OpKind::Add) && isResidualAdd(g, v)) adds.push_back(v);
  if (adds.empty()) {
    g.notes.push_back("stochastic_depth: the model has no residual branch to drop");
    return false;
  }
  for (size_t i = 0; i < adds.size(); ++i) {
    const double rate = drop * static_cast<double>(i + 1) / static_cast<double>(adds.size());
    g.model[adds[i]].attrs["drop"] = plan::Scalar::num(rate);
  }
  char range[64];
  std::snprintf(range, sizeof range, "%.3g to %.3g", drop / static_cast<double>(adds.size()), drop);
  g.notes.push_back("stochastic_depth: " + std::to_string(adds.size()) +
                    " residual branches, drop rates " + range);
  return true;
}

namespace {
const PassRegistrar kPass([] { return std::make_unique<StochasticDepthPass>(); });
} // namespace

} // namespace fiver::passes
