// Reading and writing an op's integer attributes (channels, kernel sizes,
// counts) in a pass.
#pragma once

#include "compiler/ir/TrainingGraph.h"

#include <cstdint>

namespace fiver::passes {

// An integer attribute; 0 when the op lacks it.
inline int64_t intAttr(const ir::OpNode& op, const char* key) {
  return static_cast<int64_t>(plan::getNumber(op.attrs, key, 0));
}

// A count as an attribute value.
inline plan::Scalar countAttr(int64_t v) {
  return plan::Scalar::num(static_cast<double>(v));
}

} // namespace fiver::passes
