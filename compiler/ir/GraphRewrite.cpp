#include "compiler/ir/GraphRewrite.h"

#include <algorithm>

namespace fiver::ir {

OpId ModelRebuilder::add(OpNode op, const std::vector<OpId>& inputs) {
  OpId id = boost::add_vertex(std::move(op), model_);
  for (size_t k = 0; k < inputs.size(); ++k)
    boost::add_edge(inputs[k], id, OperandEdge{static_cast<int>(k)}, model_);
  return id;
}

OpId ModelRebuilder::copy(OpId v) {
  OpId now = add(old_.model[v], mappedInputs(v));
  map(v, now);
  return now;
}

std::vector<OpId> ModelRebuilder::mappedInputs(OpId v) const {
  std::vector<OpId> out;
  for (OpId in : old_.inputsOf(v))
    out.push_back(mapped(in));
  return out;
}

std::vector<OpId> consumersOf(const TrainingGraph& g, OpId v) {
  std::vector<OpId> out;
  for (auto [it, end] = boost::out_edges(v, g.model); it != end; ++it)
    out.push_back(boost::target(*it, g.model));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

} // namespace fiver::ir
