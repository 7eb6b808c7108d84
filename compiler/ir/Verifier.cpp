#include "compiler/ir/Verifier.h"

#include "compiler/ir/GraphBuilder.h"

#include <set>

namespace fiver::ir {

std::vector<std::string> verifyGraph(const TrainingGraph& g) {
  std::vector<std::string> problems;
  std::set<std::string> names;
  for (OpId v : g.opsInOrder()) {
    const OpNode& op = g.model[v];
    if (!names.insert(op.name).second) problems.push_back("duplicate op name " + op.name);
    std::vector<OpId> ins = g.inputsOf(v);
    size_t want = op.kind == "input" ? 0 : op.kind == "add" ? 2 : op.kind == "fused" ? ins.size() : 1;
    if (ins.size() != want)
      problems.push_back(op.name + " has " + std::to_string(ins.size()) + " inputs, expected " +
                         std::to_string(want));
    std::vector<std::vector<int64_t>> shapes;
    for (OpId i : ins) {
      if (i >= v) problems.push_back(op.name + " reads a later op");
      shapes.push_back(g.model[i].shape);
    }
    if (op.kind == "fused" || op.kind == "input" || ins.size() != want) continue;
    OpNode copy = op;
    if (std::string e = inferShape(copy, shapes); !e.empty())
      problems.push_back(op.name + ": " + e);
    else if (copy.shape != op.shape)
      problems.push_back(op.name + " has a shape inconsistent with its inputs");
  }
  if (boost::num_vertices(g.model) == 0) problems.push_back("the model has no ops");
  return problems;
}

} // namespace fiver::ir
