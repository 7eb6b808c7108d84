#include "compiler/ir/TrainingGraph.h"

#include <algorithm>

namespace fiver::ir {

void Timeline::addEvent(TimelineEvent e) {
  auto at = std::upper_bound(events.begin(), events.end(), e.step,
                             [](int64_t step, const TimelineEvent& x) { return step < x.step; });
  events.insert(at, std::move(e));
}

const MethodUse* TrainingGraph::findMethod(const std::string& name) const {
  for (const MethodUse& m : recipe.methods)
    if (m.name == name) return &m;
  return nullptr;
}

std::vector<OpId> TrainingGraph::inputsOf(OpId op) const {
  std::vector<std::pair<int, OpId>> operands;
  for (auto [it, end] = boost::in_edges(op, model); it != end; ++it)
    operands.push_back({model[*it].operand, boost::source(*it, model)});
  std::sort(operands.begin(), operands.end());
  std::vector<OpId> out;
  for (const auto& [index, source] : operands)
    out.push_back(source);
  return out;
}

std::vector<OpId> TrainingGraph::opsInOrder() const {
  std::vector<OpId> out;
  for (auto [it, end] = boost::vertices(model); it != end; ++it)
    out.push_back(*it);
  return out;
}

} // namespace fiver::ir
