// Values known at import: constants, and the shape arithmetic on them that
// exporters write. They become ImportValue::constant, never ops.
#include "compiler/onnx/OnnxFile.h"
#include "compiler/onnx/OnnxNodeImport.h"

#include <cmath>
#include <cstdint>

namespace fiver::onnx_import {

std::optional<ConstTensor> constantOf(const onnx::TensorProto& t) {
  ConstTensor c;
  c.dims.assign(t.dims().begin(), t.dims().end());
  if (std::optional<std::vector<float>> f = floatsOf(t)) {
    c.values.assign(f->begin(), f->end());
    return c;
  }
  if (std::optional<std::vector<int64_t>> i = int64sOf(t)) {
    c.values.assign(i->begin(), i->end());
    c.integer = true;
    return c;
  }
  return std::nullopt;
}

NodeResult importConstant(NodeImport& n) {
  ImportValue v;
  if (const onnx::TensorProto* t = n.tensorAttr("value")) {
    v.constant = constantOf(*t);
    if (!v.constant) return n.unsupported("only float and int64 constants are imported");
  } else if (std::vector<int64_t> ints = n.intsAttr("value_ints"); !ints.empty()) {
    v.constant = ConstTensor{{static_cast<int64_t>(ints.size())}, {ints.begin(), ints.end()}, true};
  } else {
    const double value = n.floatAttr("value_float", NAN);
    const int64_t integer = n.intAttr("value_int", INT64_MIN);
    if (std::isnan(value) && integer == INT64_MIN)
      return n.unsupported("only tensor and number constants are imported");
    v.constant = std::isnan(value) ? ConstTensor{{}, {static_cast<double>(integer)}, true}
                                   : ConstTensor{{}, {value}, false};
  }
  n.define(0, std::move(v));
  return std::nullopt;
}

} // namespace fiver::onnx_import
