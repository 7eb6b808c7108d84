// A parsed `fused` plan op: the forward expression, its symbolic backward,
// and which inputs backward keeps. Built once per op when the model is built.
#pragma once

#include "runtime/kernels/Differentiate.h"
#include "runtime/kernels/Expr.h"

#include <optional>
#include <string>
#include <vector>

namespace fiver::kernels {

struct FusedProgram {
  NodePtr forward;
  BackwardExprs backward;
  int inputs = 0;
  int params = 0;
  std::vector<bool> savedInputs; // per input: kept for backward

  // `saved` is the op's attribute ("%0,%2"); an input that backward reads but
  // `saved` omits is an error in the plan. Without the attribute, backward
  // keeps exactly the inputs it reads.
  static FusedProgram build(const std::string& expr, int inputs, int params,
                            const std::optional<std::string>& saved);
};

// The inputs an expression reads.
std::vector<bool> inputsRead(const Node& expr, int inputs);

} // namespace fiver::kernels
