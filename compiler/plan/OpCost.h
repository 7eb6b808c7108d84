// What one plan op costs per training step: arithmetic, parameters and memory
// traffic, from the op's attributes and the shapes the plan records. Torch-free:
// `5rc compile --cost` and `5rc profile` share it. Counts are estimates of the
// usual kind (a multiply-add is 2 FLOPs; elementwise ops a few per element).
#pragma once

#include "compiler/plan/Plan.h"

#include <cstdint>
#include <vector>

namespace fiver::plan {

struct OpCost {
  double forwardFlops = 0;
  double backwardFlops = 0; // gradients of inputs and parameters
  int64_t parameters = 0;
  double activationBytes = 0; // the op's output, kept for backward
  double bytesMoved = 0;      // forward: inputs + parameters read, output written

  double intensity() const { return bytesMoved > 0 ? forwardFlops / bytesMoved : 0; }
  OpCost& operator+=(const OpCost& o);
};

// `inputs` are the shapes (without batch) of the op's inputs, in order.
OpCost opCost(const Op& op, const std::vector<std::vector<int64_t>>& inputs, int64_t batch);

// Every op of a plan at its input resolution, indexed like plan.ops.
std::vector<OpCost> planOpCosts(const Plan& plan, int64_t batch);

} // namespace fiver::plan
