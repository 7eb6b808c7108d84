#include "passes/ResidualBranches.h"

#include "compiler/plan/LowRankAdapters.h"
#include "compiler/plan/OpKinds.h"

#include <algorithm>
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

} // namespace

bool isResidualAdd(const ir::TrainingGraph& g, ir::OpId add) {
  const std::vector<ir::OpId> ins = g.inputsOf(add);
  if (ins.size() != 2 || ins[0] == ins[1]) return false;
  const std::set<ir::OpId> a = ancestors(g, ins[0]), b = ancestors(g, ins[1]);
  return std::any_of(a.begin(), a.end(), [&](ir::OpId v) { return b.count(v) > 0; });
}

std::vector<ir::OpId> residualAdds(const ir::TrainingGraph& g) {
  std::vector<ir::OpId> adds;
  for (ir::OpId v : g.opsInOrder())
    if (plan::isKind(g.model[v].kind, plan::OpKind::Add) &&
        !g.model[v].attrs.count(std::string(plan::kAdapterOf)) && isResidualAdd(g, v))
      adds.push_back(v);
  return adds;
}

} // namespace fiver::passes
