// Symbolic reverse-mode differentiation of a fused expression. The backward
// expressions read the forward inputs %0..%(n-1), the parameters, and the
// gradient of the output as the extra input %n; they are elementwise, so a
// parameter's gradient must still be summed over its broadcast dimensions.
#pragma once

#include "runtime/kernels/Expr.h"

#include <vector>

namespace fiver::kernels {

struct BackwardExprs {
  int gradInput = 0;               // index of the output-gradient input (%n)
  std::vector<NodePtr> inputGrads; // per input; nullptr when it does not flow
  std::vector<NodePtr> paramGrads; // per parameter; nullptr when it does not flow
};

BackwardExprs differentiate(const Node& forward, int inputs, int params);

} // namespace fiver::kernels
