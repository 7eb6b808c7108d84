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
  // Backward: the output gradient, saved inputs and parameters read; input
  // and parameter gradients written.
  double backwardBytesMoved = 0;

  double intensity() const { return bytesMoved > 0 ? forwardFlops / bytesMoved : 0; }
  double backwardIntensity() const {
    return backwardBytesMoved > 0 ? backwardFlops / backwardBytesMoved : 0;
  }
  // The whole training step of the op: forward and backward together.
  double stepIntensity() const {
    const double bytes = bytesMoved + backwardBytesMoved;
    return bytes > 0 ? (forwardFlops + backwardFlops) / bytes : 0;
  }
  OpCost& operator+=(const OpCost& o);
};

// `inputs` are the shapes (without batch) of the op's inputs, in order.
OpCost opCost(const Op& op, const std::vector<std::vector<int64_t>>& inputs, int64_t batch);

// Every op of a plan at its input resolution, indexed like plan.ops.
std::vector<OpCost> planOpCosts(const Plan& plan, int64_t batch);

// The same at training step `step`: at the input size progressive resizing
// trains with then, and with what autograd actually computes then: no
// parameter gradient for an op frozen by layer freezing, no input gradient
// for an op none of whose inputs lead back to a trainable op, and so no
// backward at all for the frozen prefix of the network.
std::vector<OpCost> planOpCostsAtStep(const Plan& plan, int64_t batch, int64_t step);

} // namespace fiver::plan
