// One row per op kind of compiler/plan/OpKinds.def: the ONNX nodes that
// compute the op as the model evaluates it (eval mode: dropout is nothing,
// batch norm reads its running statistics). Weights come from the live
// model, so what is exported is what the model holds when it is called.
#pragma once

#include "compiler/plan/Plan.h"
#include "runtime/export/OnnxGraph.h"
#include "runtime/model/PlanModel.h"

#include <set>
#include <string>
#include <vector>

namespace fiver::runtime {

struct OnnxOpContext {
  OnnxGraph& graph;
  PlanModelImpl& model;
  const plan::Op& op;
  std::vector<std::string> inputs; // the values of op.inputs
  std::string modelInput;          // the graph's input
  // Convs exported with their batch norm folded in; those norms pass their
  // input through.
  const std::set<std::string>& foldedConvs;
};

// Emits the op's nodes and returns the name of its output value. Throws
// std::runtime_error naming the op when it cannot be exported.
std::string exportOpToOnnx(plan::OpKind kind, OnnxOpContext& context);

} // namespace fiver::runtime
