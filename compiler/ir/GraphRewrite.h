// Rebuilding the model graph when a pass inserts, splits or merges ops.
// Vertex ids are the topological order (the lowering and the verifier rely on
// it), so a pass that adds an op in the middle builds a new graph: it walks
// the old ops in order and adds each op, or what replaces it, to the new one.
#pragma once

#include "compiler/ir/TrainingGraph.h"

#include <map>
#include <string>
#include <vector>

namespace fiver::ir {

class ModelRebuilder {
public:
  explicit ModelRebuilder(const TrainingGraph& g) : old_(g) {}

  // Adds an op that reads the given ops of the new graph, in operand order.
  OpId add(OpNode op, const std::vector<OpId>& inputs);
  // Adds old op `v` unchanged, reading what now stands for its inputs.
  OpId copy(OpId v);
  // Records that new op `now` stands for old op `old` from here on.
  void map(OpId old, OpId now) { mapped_[old] = now; }
  OpId mapped(OpId old) const { return mapped_.at(old); }
  // The new ops that stand for old op v's inputs.
  std::vector<OpId> mappedInputs(OpId v) const;

  ModelGraph take() { return std::move(model_); }

private:
  const TrainingGraph& old_;
  ModelGraph model_;
  std::map<OpId, OpId> mapped_;
};

// The ops that read op v's output.
std::vector<OpId> consumersOf(const TrainingGraph& g, OpId v);

} // namespace fiver::ir
