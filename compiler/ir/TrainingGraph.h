// The training graph: the model as a DAG of ops on Boost.Graph, plus the
// training timeline (the budget in steps and the events at which dynamic
// methods act) and the checked recipe it came from. Passes rewrite it;
// lowering turns it into a plan.
#pragma once

#include "compiler/diag/SourceLocation.h"
#include "compiler/plan/Plan.h"
#include "compiler/sema/CheckedRecipe.h"

#include <boost/graph/adjacency_list.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace fiver::ir {

struct OpNode {
  std::string kind; // input, conv, bn, relu, ..., add (see plan::Op)
  std::string name; // stable: kind + ordinal, e.g. conv3
  plan::ScalarMap attrs;
  std::vector<int64_t> shape; // C, H, W or features; no batch dimension
  std::string dtype = "fp32";
  std::string memoryFormat = "contiguous";
  int64_t freezeStep = -1;
  std::string expr;
  SourceRange where;
};

// Edges carry the operand position: add's first input is operand 0.
struct OperandEdge {
  int operand = 0;
};

using ModelGraph =
    boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS, OpNode, OperandEdge>;
using OpId = ModelGraph::vertex_descriptor;

struct TimelineEvent {
  int64_t step = 0;
  std::string method;
  std::string what;
};

// The budget in steps. stepsPerEpoch = ceil(trainSize / batchSize), where
// trainSize is the recipe's train_subset when it sets one, taken from what
// the holdout leaves.
struct Timeline {
  int64_t trainSize = 0;
  int64_t holdout = 0; // training examples held out for evaluation
  int64_t batchSize = 0;
  int64_t stepsPerEpoch = 0;
  int64_t totalSteps = 0;
  int64_t epochs = 0;
  std::vector<TimelineEvent> events; // sorted by step

  // Adds an event, keeping events sorted by step (stable for equal steps).
  void addEvent(TimelineEvent e);
};

struct TrainingGraph {
  CheckedRecipe recipe;
  ModelGraph model;
  Timeline timeline;
  std::vector<plan::ResolutionStage> resolution;
  std::vector<std::string> passesRun;
  std::vector<std::string> notes; // what passes report (counts, decisions)

  const MethodUse* findMethod(const std::string& name) const;
  // The operands of an op, in operand order.
  std::vector<OpId> inputsOf(OpId op) const;
  // Ops in topological order (ids are created in that order by the builder
  // and passes keep it).
  std::vector<OpId> opsInOrder() const;
};

} // namespace fiver::ir
