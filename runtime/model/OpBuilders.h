// How the runtime builds and runs each op kind of the plan: one row per
// plan::OpKind (compiler/plan/OpKinds.def), in the table's order. A kind
// without a row here fails the build (OpBuilders.cpp checks it statically).
#pragma once

#include "compiler/plan/OpKinds.h"

#include <torch/torch.h>

#include <cstddef>
#include <vector>

namespace fiver::runtime {

class PlanModelImpl;

// One op of a forward pass: what its runner may read.
struct OpRun {
  PlanModelImpl& model;
  size_t index; // the op's position in the plan
  const plan::Op& op;
  const std::vector<torch::Tensor>& values; // outputs of the ops before it
  const torch::Tensor& modelInput;
};

struct OpRuntime {
  plan::OpKind kind;
  // Registers the op's modules and parameters with the model (may do nothing).
  void (*build)(PlanModelImpl& model, size_t index);
  torch::Tensor (*run)(const OpRun& run);
};

const OpRuntime& opRuntime(plan::OpKind kind);

} // namespace fiver::runtime
