// Values known at import: constants, and the shape arithmetic on them that
// exporters write (Shape, Gather, Unsqueeze, Concat, Slice, Cast, Where,
// arithmetic), the batch size kept symbolic. They become
// ImportValue::constant, never ops.
#include "compiler/onnx/OnnxFile.h"
#include "compiler/onnx/OnnxNodeImport.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace fiver::onnx_import {

std::optional<ConstTensor> constantOf(const onnx::TensorProto& t) {
  ConstTensor c;
  c.dims.assign(t.dims().begin(), t.dims().end());
  if (std::optional<std::vector<float>> f = floatsOf(t)) {
    c.values.assign(f->begin(), f->end());
  } else if (std::optional<std::vector<int64_t>> i = int64sOf(t)) {
    c.values.assign(i->begin(), i->end());
    c.integer = true;
  } else {
    return std::nullopt;
  }
  // One value an element: a tensor whose dims disagree with its data (a
  // damaged file) is not a constant the folds can index.
  int64_t elements = 1;
  for (int64_t d : c.dims) {
    if (d < 0 || (d > 0 && elements > (int64_t{1} << 40) / d)) return std::nullopt;
    elements *= d;
  }
  if (static_cast<int64_t>(c.values.size()) != elements) return std::nullopt;
  return c;
}

NodeResult importConstant(NodeImport& n) {
  ImportValue v;
  if (const onnx::TensorProto* t = n.tensorAttr("value")) {
    v.constant = constantOf(*t);
    if (!v.constant) return n.unsupported("only float and int64 constants are imported");
  } else if (std::vector<int64_t> ints = n.intsAttr("value_ints"); !ints.empty()) {
    v.constant =
        ConstTensor{{static_cast<int64_t>(ints.size())}, {ints.begin(), ints.end()}, true, {}};
  } else {
    const double value = n.floatAttr("value_float", NAN);
    const int64_t integer = n.intAttr("value_int", INT64_MIN);
    if (std::isnan(value) && integer == INT64_MIN)
      return n.unsupported("only tensor and number constants are imported");
    v.constant = std::isnan(value) ? ConstTensor{{}, {static_cast<double>(integer)}, true, {}}
                                   : ConstTensor{{}, {value}, false, {}};
  }
  n.define(0, std::move(v));
  return std::nullopt;
}

} // namespace fiver::onnx_import

namespace fiver::onnx_import {

namespace {

// Constants folded at import are shapes and masks: a bound keeps a
// malformed file from asking for gigabytes.
constexpr int64_t kMaxFoldedValues = int64_t{1} << 24;

int64_t count(const std::vector<int64_t>& dims) {
  int64_t n = 1;
  for (int64_t d : dims)
    n *= d;
  return n;
}

// One value an element, no negative size: what every fold may index by.
bool consistent(const ConstTensor& c) {
  return std::all_of(c.dims.begin(), c.dims.end(), [](int64_t d) { return d >= 0; }) &&
         static_cast<int64_t>(c.values.size()) == count(c.dims);
}

NodeResult defineConstant(NodeImport& n, ConstTensor c) {
  // Every fold keeps one value an element; a file whose shapes contradict
  // themselves (a Reshape of 6 values to 4) is refused here, not read past.
  if (!consistent(c))
    return n.problem(DiagId::OnnxDynamicShape, "its result has " + std::to_string(c.values.size()) +
                                                   " values but a shape of " +
                                                   std::to_string(count(c.dims)));
  if (!c.batch.empty() && std::none_of(c.batch.begin(), c.batch.end(), [](bool b) { return b; }))
    c.batch.clear();
  ImportValue v;
  v.constant = std::move(c);
  n.define(0, std::move(v));
  return std::nullopt;
}

NodeResult notConstant(const NodeImport& n, int i) {
  return n.problem(DiagId::OnnxDynamicShape,
                   "its input '" + (i < n.inputCount() ? n.node.input(i) : std::string("?")) +
                       "' is not known at import");
}

// An axis list: input `i` (opset 13 on) or the attribute `name` (before).
std::optional<std::vector<int64_t>> axesOf(const NodeImport& n, int i, const char* name) {
  if (i < n.inputCount() && !n.node.input(i).empty()) {
    std::optional<ConstTensor> c = constantInput(n, i);
    if (!c) return std::nullopt;
    return c->indices();
  }
  return n.intsAttr(name);
}

int64_t normalized(int64_t axis, int64_t rank) {
  return axis < 0 ? axis + rank : axis;
}

// Row-major strides of `dims`.
std::vector<int64_t> stridesOf(const std::vector<int64_t>& dims) {
  std::vector<int64_t> strides(dims.size(), 1);
  for (size_t i = dims.size(); i-- > 1;)
    strides[i - 1] = strides[i] * dims[i];
  return strides;
}

// NumPy broadcasting of two constants, element by element through `f`;
// false when `f` cannot combine two of them (the batch times the batch).
using Combine = bool (*)(double a, bool ab, double b, bool bb, bool integer, double& out,
                         bool& outBatch);

std::optional<ConstTensor> broadcast(const ConstTensor& a, const ConstTensor& b, bool integer,
                                     Combine f) {
  if (!consistent(a) || !consistent(b)) return std::nullopt;
  const size_t rank = std::max(a.dims.size(), b.dims.size());
  std::vector<int64_t> da(rank, 1), db(rank, 1), out(rank, 1);
  std::copy(a.dims.begin(), a.dims.end(), da.begin() + static_cast<long>(rank - a.dims.size()));
  std::copy(b.dims.begin(), b.dims.end(), db.begin() + static_cast<long>(rank - b.dims.size()));
  for (size_t i = 0; i < rank; ++i) {
    if (da[i] != db[i] && da[i] != 1 && db[i] != 1) return std::nullopt;
    out[i] = da[i] == 1 ? db[i] : da[i]; // a size 1 takes the other's, 0 included
  }
  const std::vector<int64_t> sa = stridesOf(da), sb = stridesOf(db), so = stridesOf(out);
  ConstTensor c{out, {}, integer, {}};
  for (int64_t k = 0; k < count(out); ++k) {
    int64_t ia = 0, ib = 0;
    for (size_t i = 0; i < rank; ++i) {
      const int64_t at = (k / so[i]) % out[i];
      ia += (da[i] == 1 ? 0 : at) * sa[i];
      ib += (db[i] == 1 ? 0 : at) * sb[i];
    }
    double v = 0;
    bool vb = false;
    const auto ua = static_cast<size_t>(ia), ub = static_cast<size_t>(ib);
    if (!f(a.values[ua], a.isBatch(ua), b.values[ub], b.isBatch(ub), integer, v, vb))
      return std::nullopt;
    c.values.push_back(v);
    c.batch.push_back(vb);
  }
  return c;
}

// a B + b B, or a B + 0; a B + b with b other than 0 is not a size.
bool add(double a, bool ab, double b, bool bb, bool, double& out, bool& batch) {
  out = a + b;
  batch = ab || bb;
  if (ab == bb) return true;
  return ab ? b == 0 : a == 0;
}
bool sub(double a, bool ab, double b, bool bb, bool integer, double& out, bool& batch) {
  return add(a, ab, -b, bb, integer, out, batch);
}
bool mul(double a, bool ab, double b, bool bb, bool, double& out, bool& batch) {
  out = a * b;
  batch = ab || bb;
  return !(ab && bb);
}
bool div(double a, bool ab, double b, bool bb, bool integer, double& out, bool& batch) {
  if (bb || b == 0) return false;
  out = integer ? std::trunc(a / b) : a / b;
  batch = ab;
  return !(ab && integer && std::fmod(a, b) != 0);
}
// The batch equals no constant: shapes never hold sizes such as -1 or 0
// where a batch could be compared with them.
bool equal(double a, bool ab, double b, bool bb, bool, double& out, bool& batch) {
  out = ab == bb && a == b ? 1 : 0;
  batch = false;
  return true;
}

} // namespace

std::optional<ConstTensor> constantInput(const NodeImport& n, int i) {
  const ImportValue* v = n.input(i);
  if (!v) return std::nullopt;
  if (v->constant) return v->constant;
  if (!v->isInitializer() || v->transposed) return std::nullopt;
  std::optional<ConstTensor> c = constantOf(*v->data);
  if (!c || !v->rowBlock || c->dims.empty()) return c;
  const int64_t rowSize = count({c->dims.begin() + 1, c->dims.end()});
  const auto begin = c->values.begin() + v->rowStart * rowSize;
  c->values.assign(begin, begin + v->shape[0] * rowSize);
  if (!c->batch.empty()) c->batch.clear(); // an initializer holds no batch sizes
  c->dims[0] = v->shape[0];
  return c;
}

bool allInputsConstant(const NodeImport& n) {
  for (int i = 0; i < n.inputCount(); ++i)
    if (!n.node.input(i).empty() && !constantInput(n, i)) return false;
  return n.inputCount() > 0;
}

// The shape of any value the importer knows: a computed tensor's with the
// batch symbolic.
NodeResult foldShape(NodeImport& n) {
  const ImportValue* v = n.input(0);
  if (!v) return notConstant(n, 0);
  ConstTensor c{{}, {}, true, {}};
  if (v->isOp()) {
    if (v->layout.empty())
      return n.problem(DiagId::OnnxDynamicShape,
                       "it reads the shape of '" + n.node.input(0) +
                           "', which depends on an input size the file leaves open");
    for (const SymbolicDim& d : onnxDims(v->layout)) {
      c.values.push_back(static_cast<double>(d.coef));
      c.batch.push_back(d.batch);
    }
  } else if (v->constant) {
    c.values.assign(v->constant->dims.begin(), v->constant->dims.end());
  } else {
    c.values.assign(v->shape.begin(), v->shape.end());
    if (v->transposed) std::reverse(c.values.begin(), c.values.end());
  }
  const auto rank = static_cast<int64_t>(c.values.size());
  const int64_t start = std::clamp(normalized(n.intAttr("start", 0), rank), int64_t{0}, rank);
  const int64_t end = std::clamp(normalized(n.intAttr("end", rank), rank), start, rank);
  ConstTensor out{{end - start}, {}, true, {}};
  for (int64_t i = start; i < end; ++i) {
    out.values.push_back(c.values[static_cast<size_t>(i)]);
    out.batch.push_back(c.isBatch(static_cast<size_t>(i)));
  }
  return defineConstant(n, std::move(out));
}

NodeResult foldGather(NodeImport& n) {
  std::optional<ConstTensor> data = constantInput(n, 0), indices = constantInput(n, 1);
  if (!data || !indices) return notConstant(n, data ? 1 : 0);
  const auto rank = static_cast<int64_t>(data->dims.size());
  const int64_t axis = normalized(n.intAttr("axis", 0), rank);
  if (axis < 0 || axis >= rank) return n.unsupported("its axis is out of range");
  const int64_t outer = count({data->dims.begin(), data->dims.begin() + axis});
  const int64_t inner = count({data->dims.begin() + axis + 1, data->dims.end()});
  const int64_t size = data->dims[static_cast<size_t>(axis)];
  ConstTensor c{{data->dims.begin(), data->dims.begin() + axis}, {}, data->integer, {}};
  c.dims.insert(c.dims.end(), indices->dims.begin(), indices->dims.end());
  c.dims.insert(c.dims.end(), data->dims.begin() + axis + 1, data->dims.end());
  for (int64_t o = 0; o < outer; ++o)
    for (double index : indices->values) {
      const int64_t at = normalized(static_cast<int64_t>(index), size);
      if (at < 0 || at >= size) return n.unsupported("an index is out of range");
      for (int64_t k = 0; k < inner; ++k) {
        const auto from = static_cast<size_t>((o * size + at) * inner + k);
        c.values.push_back(data->values[from]);
        c.batch.push_back(data->isBatch(from));
      }
    }
  return defineConstant(n, std::move(c));
}

NodeResult foldUnsqueeze(NodeImport& n) {
  std::optional<ConstTensor> c = constantInput(n, 0);
  std::optional<std::vector<int64_t>> axes = axesOf(n, 1, "axes");
  if (!c || !axes) return notConstant(n, c ? 1 : 0);
  const auto rank = static_cast<int64_t>(c->dims.size() + axes->size());
  std::vector<int64_t> sorted;
  for (int64_t a : *axes)
    sorted.push_back(normalized(a, rank));
  std::sort(sorted.begin(), sorted.end());
  for (int64_t a : sorted)
    c->dims.insert(
        c->dims.begin() + std::clamp<int64_t>(a, 0, static_cast<int64_t>(c->dims.size())), 1);
  return defineConstant(n, std::move(*c));
}

NodeResult foldSqueeze(NodeImport& n) {
  std::optional<ConstTensor> c = constantInput(n, 0);
  std::optional<std::vector<int64_t>> axes = axesOf(n, 1, "axes");
  if (!c || !axes) return notConstant(n, c ? 1 : 0);
  std::vector<int64_t> dims;
  const auto rank = static_cast<int64_t>(c->dims.size());
  for (int64_t i = 0; i < rank; ++i) {
    const bool named = std::any_of(axes->begin(), axes->end(),
                                   [&](int64_t a) { return normalized(a, rank) == i; });
    const int64_t size = c->dims[static_cast<size_t>(i)];
    if (named && size != 1)
      return n.unsupported("it squeezes axis " + std::to_string(i) + " of size " +
                           std::to_string(size));
    if (!(named || (axes->empty() && size == 1))) dims.push_back(size);
  }
  c->dims = dims;
  return defineConstant(n, std::move(*c));
}

// Concatenation along axis 0 of the outermost blocks (shape vectors, and
// any axis of constants whose axes before it have size 1).
NodeResult foldConcat(NodeImport& n) {
  ConstTensor out;
  const int64_t axisAttr = n.intAttr("axis", 0);
  for (int i = 0; i < n.inputCount(); ++i) {
    std::optional<ConstTensor> c = constantInput(n, i);
    if (!c) return notConstant(n, i);
    const int64_t axis = normalized(axisAttr, static_cast<int64_t>(c->dims.size()));
    if (axis < 0 || axis >= static_cast<int64_t>(c->dims.size()) ||
        (i > 0 && out.dims.size() != c->dims.size()) ||
        count({c->dims.begin(), c->dims.begin() + axis}) != 1)
      return n.unsupported("constants are concatenated on their outermost axis only");
    if (i == 0) {
      out = *c;
      out.batch.resize(out.values.size(), false);
      continue;
    }
    out.dims[static_cast<size_t>(axis)] += c->dims[static_cast<size_t>(axis)];
    for (size_t k = 0; k < c->values.size(); ++k) {
      out.values.push_back(c->values[k]);
      out.batch.push_back(c->isBatch(k));
    }
    out.integer = out.integer && c->integer;
  }
  return defineConstant(n, std::move(out));
}

// Slices along one axis of constants (shape vectors, masks: the outermost
// axes are taken in order).
NodeResult foldSlice(NodeImport& n) {
  std::optional<ConstTensor> c = constantInput(n, 0);
  if (!c) return notConstant(n, 0);
  std::optional<std::vector<int64_t>> starts = axesOf(n, 1, "starts"), ends = axesOf(n, 2, "ends");
  std::optional<std::vector<int64_t>> axes = axesOf(n, 3, "axes"), steps = axesOf(n, 4, "steps");
  if (!starts || !ends || !axes || !steps) return notConstant(n, 1);
  if (ends->size() != starts->size() || (!axes->empty() && axes->size() != starts->size()) ||
      (!steps->empty() && steps->size() != starts->size()))
    return n.unsupported("its starts, ends, axes and steps differ in length");
  for (size_t k = 0; k < starts->size(); ++k) {
    const auto rank = static_cast<int64_t>(c->dims.size());
    const int64_t axis = axes->empty() ? static_cast<int64_t>(k) : normalized((*axes)[k], rank);
    if ((!steps->empty() && (*steps)[k] != 1) || axis < 0 || axis >= rank)
      return n.unsupported("constants are sliced with step 1 only");
    const int64_t size = c->dims[static_cast<size_t>(axis)];
    const int64_t start = std::clamp(normalized((*starts)[k], size), int64_t{0}, size);
    const int64_t end = std::clamp(normalized(std::min((*ends)[k], size), size), start, size);
    const int64_t outer = count({c->dims.begin(), c->dims.begin() + axis});
    const int64_t inner = count({c->dims.begin() + axis + 1, c->dims.end()});
    ConstTensor s{c->dims, {}, c->integer, {}};
    s.dims[static_cast<size_t>(axis)] = end - start;
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = start; i < end; ++i)
        for (int64_t j = 0; j < inner; ++j) {
          const auto from = static_cast<size_t>((o * size + i) * inner + j);
          s.values.push_back(c->values[from]);
          s.batch.push_back(c->isBatch(from));
        }
    c = std::move(s);
  }
  return defineConstant(n, std::move(*c));
}

NodeResult foldCast(NodeImport& n) {
  std::optional<ConstTensor> c = constantInput(n, 0);
  if (!c) return notConstant(n, 0);
  const int64_t to = n.intAttr("to", onnx::TensorProto::FLOAT);
  const bool integer = to != onnx::TensorProto::FLOAT && to != onnx::TensorProto::DOUBLE &&
                       to != onnx::TensorProto::FLOAT16;
  if (integer && !c->integer)
    for (double& v : c->values)
      v = to == onnx::TensorProto::BOOL ? (v != 0) : std::trunc(v);
  c->integer = integer;
  return defineConstant(n, std::move(*c));
}

NodeResult foldArithmetic(NodeImport& n) {
  std::optional<ConstTensor> a = constantInput(n, 0), b = constantInput(n, 1);
  if (!a || !b) return notConstant(n, a ? 1 : 0);
  const std::string& op = n.node.op_type();
  Combine f = op == "Add" ? add : op == "Sub" ? sub : op == "Mul" ? mul : op == "Div" ? div : equal;
  std::optional<ConstTensor> c = broadcast(*a, *b, op == "Equal" || (a->integer && b->integer), f);
  if (!c)
    return n.problem(DiagId::OnnxDynamicShape,
                     "its shapes cannot be combined at import (they depend on the batch size "
                     "in a way FiveR does not follow)");
  return defineConstant(n, std::move(*c));
}

NodeResult foldWhere(NodeImport& n) {
  std::optional<ConstTensor> cond = constantInput(n, 0), a = constantInput(n, 1),
                             b = constantInput(n, 2);
  if (!cond || !a || !b) return notConstant(n, !cond ? 0 : !a ? 1 : 2);
  // Select a where the condition holds: cond * a + (1 - cond) * b, kept symbolic.
  auto pick = [](double c, bool, double v, bool vb, bool, double& out, bool& batch) {
    out = c != 0 ? v : std::nan("");
    batch = c != 0 && vb;
    return true;
  };
  std::optional<ConstTensor> chosen = broadcast(*cond, *a, a->integer, pick);
  if (!chosen) return n.unsupported("its operands do not broadcast");
  auto fill = [](double c, bool cb, double v, bool vb, bool, double& out, bool& batch) {
    out = std::isnan(c) ? v : c;
    batch = std::isnan(c) ? vb : cb;
    return true;
  };
  std::optional<ConstTensor> c = broadcast(*chosen, *b, a->integer && b->integer, fill);
  if (!c) return n.unsupported("its operands do not broadcast");
  return defineConstant(n, std::move(*c));
}

NodeResult foldConstantOfShape(NodeImport& n) {
  std::optional<ConstTensor> shape = constantInput(n, 0);
  if (!shape || !shape->batch.empty()) return notConstant(n, 0);
  ConstTensor c{{shape->values.begin(), shape->values.end()}, {}, false, {}};
  if (std::any_of(c.dims.begin(), c.dims.end(), [](int64_t d) { return d < 0; }) ||
      count(c.dims) > kMaxFoldedValues)
    return n.unsupported("its shape is negative or too large to fold at import");
  double value = 0;
  if (const onnx::TensorProto* t = n.tensorAttr("value")) {
    std::optional<ConstTensor> v = constantOf(*t);
    if (!v || v->values.size() != 1) return n.unsupported("its value is not a number");
    value = v->values[0];
    c.integer = v->integer;
  }
  c.values.assign(static_cast<size_t>(count(c.dims)), value);
  return defineConstant(n, std::move(c));
}

NodeResult foldReshape(NodeImport& n) {
  std::optional<ConstTensor> c = constantInput(n, 0), shape = constantInput(n, 1);
  if (!c || !shape || !shape->batch.empty()) return notConstant(n, c ? 1 : 0);
  std::vector<int64_t> dims(shape->values.begin(), shape->values.end());
  int64_t known = 1, inferred = -1;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] == 0 && i < c->dims.size()) dims[i] = c->dims[i];
    if (dims[i] == -1)
      inferred = static_cast<int64_t>(i);
    else
      known *= dims[i];
  }
  if (inferred >= 0 && known > 0) dims[static_cast<size_t>(inferred)] = count(c->dims) / known;
  if (count(dims) != count(c->dims)) return n.unsupported("its new shape has another size");
  c->dims = dims;
  return defineConstant(n, std::move(*c));
}

NodeResult foldRange(NodeImport& n) {
  std::optional<ConstTensor> start = constantInput(n, 0), limit = constantInput(n, 1),
                             delta = constantInput(n, 2);
  if (!start || !limit || !delta || !limit->batch.empty()) return notConstant(n, 1);
  if (start->values.size() != 1 || limit->values.size() != 1 || delta->values.size() != 1 ||
      delta->values[0] == 0)
    return n.unsupported("start, limit and delta must be scalars, delta not 0");
  ConstTensor c{{0}, {}, start->integer, {}};
  for (double v = start->values[0];
       delta->values[0] > 0 ? v < limit->values[0] : v > limit->values[0]; v += delta->values[0]) {
    if (static_cast<int64_t>(c.values.size()) >= kMaxFoldedValues)
      return n.unsupported("its range is too long to fold at import");
    c.values.push_back(v);
  }
  c.dims[0] = static_cast<int64_t>(c.values.size());
  return defineConstant(n, std::move(c));
}

} // namespace fiver::onnx_import
