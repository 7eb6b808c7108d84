// Ops on computed tensors of imported transformers: reshapes and transposes
// that follow the batch (ImportLayout.h), matrix products (a linear layer
// when one operand is an initializer), softmax, concatenation and slices,
// layer norm, trainable tensors read over the batch, and arithmetic with
// constants.
#include "compiler/onnx/OnnxFile.h"
#include "compiler/onnx/OnnxNodeImport.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace fiver::onnx_import {

namespace {

using plan::Scalar;

std::string joined(const std::vector<int64_t>& values) {
  std::string out;
  for (int64_t v : values)
    out += (out.empty() ? "" : ",") + std::to_string(v);
  return out;
}

Scalar number(double v) {
  return Scalar::num(v);
}

// Input `i` must be computed by an op whose shape the importer knows.
NodeResult tensorOperand(const NodeImport& n, int i, const ImportValue*& out) {
  out = n.input(i);
  if (!out || !out->isOp())
    return n.unsupported("input " + std::to_string(i) +
                         " must be a tensor computed from the model's input");
  if (out->layout.empty())
    return n.problem(DiagId::OnnxDynamicShape,
                     "the shape of its input '" + n.node.input(i) +
                         "' depends on an input size the file leaves open");
  return std::nullopt;
}

// The runtime axis of ONNX axis `axis` of `x`, or why there is none.
NodeResult axisOf(const NodeImport& n, const ImportValue& x, int64_t axis, int64_t& out) {
  std::optional<int64_t> runtime = runtimeAxis(x.layout, axis);
  if (!runtime)
    return n.unsupported("its axis " + std::to_string(axis) +
                         " holds the batch or is out of range; FiveR keeps the batch whole");
  out = *runtime;
  return std::nullopt;
}

// `x` with a new layout: no op when its runtime shape stays, a reshape otherwise.
NodeResult view(NodeImport& n, const ImportValue& x, Layout layout) {
  const std::vector<int64_t> shape = runtimeShape(layout);
  if (shape == x.shape) {
    ImportValue v = x;
    v.layout = std::move(layout);
    n.define(0, std::move(v));
    return std::nullopt;
  }
  n.emit("reshape", {{"dims", Scalar::str(joined(shape))}}, {x.op}, std::move(layout));
  return std::nullopt;
}

double tidy(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.7g", v);
  return std::strtod(buf, nullptr);
}

std::optional<double> scalarOf(const std::optional<ConstTensor>& c) {
  if (!c || c->values.size() != 1 || c->isBatch(0)) return std::nullopt;
  return c->values[0];
}

// A [T, T] constant that hides later positions: -inf above the diagonal
// (additive), or true there (`hidden`) / true on and below it (kept).
bool isCausal(const ConstTensor& c, int64_t t, double hidden, double kept) {
  if (c.values.size() != static_cast<size_t>(t * t)) return false;
  for (int64_t i = 0; i < t; ++i)
    for (int64_t j = 0; j < t; ++j)
      if (c.values[static_cast<size_t>(i * t + j)] != (j > i ? hidden : kept)) return false;
  return true;
}

// The last two axes of `x` are plain and square: [.., T, T] scores.
std::optional<int64_t> scoresLength(const ImportValue& x) {
  if (!runtimeAxis(x.layout, -1) || !runtimeAxis(x.layout, -2) || x.shape.size() < 2)
    return std::nullopt;
  const int64_t t = x.shape.back();
  return x.shape[x.shape.size() - 2] == t ? std::optional<int64_t>(t) : std::nullopt;
}

NodeResult causalMask(NodeImport& n, const ImportValue& x) {
  n.emit("causal_mask", {}, {x.op}, x.layout);
  return std::nullopt;
}

// A linear layer's bias added after it (MatMul then Add, as PyTorch writes
// Linear on sequences): folded into the linear when nothing else reads it.
bool foldBias(NodeImport& n, const std::string& xName, const ImportValue& x,
              const ImportValue& bias) {
  ImportedOp& op = n.ops()[static_cast<size_t>(x.op)];
  if (op.kind != "linear" || plan::getNumber(op.attrs, "bias", 1) != 0 ||
      x.op != static_cast<int>(n.ops().size()) - 1 || n.readersOf(xName) != 1 ||
      bias.shape != std::vector<int64_t>{static_cast<int64_t>(plan::getNumber(op.attrs, "out", 0))})
    return false;
  op.attrs["bias"] = number(1);
  op.attrs["init_bias"] = Scalar::str(bias.initializer);
  n.define(0, x);
  return true;
}

// A trainable tensor [1, shape] (or [shape]) added over the batch: a
// position table.
NodeResult addTable(NodeImport& n, const ImportValue& x, const ImportValue& table) {
  std::vector<int64_t> dims = table.shape;
  if (dims.size() == x.shape.size() + 1 && dims[0] == 1) dims.erase(dims.begin());
  if (dims != x.shape || !isBatchFirst(x.layout) || table.transposed)
    return n.unsupported("it adds the initializer '" + table.initializer +
                         "', which does not have its other operand's shape");
  std::vector<int64_t> stored = dims;
  if (table.rows >= 0) stored[0] = table.data->dims(0);
  int param = n.emit(
      "parameter",
      {{"dims", Scalar::str(joined(stored))}, {"init_weight", Scalar::str(table.initializer)}},
      {0});
  if (stored != dims)
    param = n.emit(
        "slice",
        {{"axis", number(0)}, {"start", number(0)}, {"end", number(static_cast<double>(dims[0]))}},
        {param});
  n.emit("add", {}, {x.op, param}, x.layout);
  return std::nullopt;
}

// Rows 0..k-1 of a float table, as a position embedding reads them.
bool leadingRows(const ImportValue& data, const ConstTensor& indices) {
  if (!data.isInitializer() || data.transposed || data.shape.size() != 2 ||
      data.data->data_type() != onnx::TensorProto::FLOAT || indices.dims.size() != 1)
    return false;
  for (size_t i = 0; i < indices.values.size(); ++i)
    if (indices.values[i] != static_cast<double>(i) || indices.isBatch(i)) return false;
  return !indices.values.empty() && static_cast<int64_t>(indices.values.size()) <= data.shape[0];
}

} // namespace

NodeResult importArithmeticWithConstant(NodeImport& n, bool& handled) {
  handled = true;
  const ImportValue *a = n.input(0), *b = n.input(1);
  if (!a || !b || (a->isOp() && b->isOp())) return handled = false, std::nullopt;
  const bool computedFirst = a->isOp();
  const ImportValue& x = computedFirst ? *a : *b;
  const ImportValue& other = computedFirst ? *b : *a;
  const std::string& xName = n.node.input(computedFirst ? 0 : 1);
  if (!x.isOp()) return n.unsupported("neither operand is computed from the model's input");
  if (x.layout.empty())
    return n.problem(DiagId::OnnxDynamicShape, "its operand's shape is unknown");
  const std::string& op = n.node.op_type();
  const std::optional<ConstTensor> c = constantInput(n, computedFirst ? 1 : 0);
  if (std::optional<double> s = scalarOf(c); s && (op == "Mul" || (op == "Div" && computedFirst))) {
    if (*s == 1) return n.define(0, x), std::nullopt; // baddbmm's alpha
    n.emit("scale", {{"factor", number(tidy(op == "Mul" ? *s : 1.0 / *s))}}, {x.op}, x.layout);
    return std::nullopt;
  }
  const double inf = std::numeric_limits<double>::infinity();
  if (std::optional<int64_t> t = scoresLength(x);
      op == "Add" && c && t && isCausal(*c, *t, -inf, 0))
    return causalMask(n, x);
  if (op == "Add" && other.isInitializer() && !other.transposed) {
    if (foldBias(n, xName, x, other)) return std::nullopt;
    if (other.shape.size() >= 2) return addTable(n, x, other);
  }
  return n.unsupported(op + " of a computed tensor and a constant is imported as a linear "
                            "layer's bias, a position table, a scale or a causal mask only");
}

NodeResult importReshape(NodeImport& n) {
  if (allInputsConstant(n)) return foldReshape(n);
  const ImportValue* x = nullptr;
  if (auto p = tensorOperand(n, 0, x)) return p;
  std::optional<ConstTensor> shape = constantInput(n, 1);
  if (!shape) return n.problem(DiagId::OnnxDynamicShape, "its new shape is not known at import");
  std::vector<SymbolicDim> target;
  for (size_t i = 0; i < shape->values.size(); ++i) {
    target.push_back(SymbolicDim{shape->index(i), shape->isBatch(i)});
    if (target.back().coef == 0 && n.intAttr("allowzero", 0) != 0)
      return n.unsupported("allowzero with a 0 in the shape is not imported");
  }
  std::string why;
  std::optional<Layout> layout = reshaped(x->layout, target, why);
  if (!layout) return n.unsupported("FiveR keeps the batch axis whole, but " + why);
  return view(n, *x, std::move(*layout));
}

NodeResult importTranspose(NodeImport& n) {
  const ImportValue* x = n.input(0);
  std::vector<int64_t> perm = n.intsAttr("perm");
  if (x && x->isInitializer()) { // W^T of a linear layer
    if (x->shape.size() != 2 || (!perm.empty() && perm != std::vector<int64_t>{1, 0}))
      return n.unsupported("only 2-D initializers are transposed at import");
    ImportValue t = *x;
    t.transposed = !t.transposed;
    std::reverse(t.shape.begin(), t.shape.end());
    n.define(0, std::move(t));
    return std::nullopt;
  }
  if (auto p = tensorOperand(n, 0, x)) return p;
  if (perm.empty())
    for (int64_t i = static_cast<int64_t>(x->layout.size()); i-- > 0;)
      perm.push_back(i);
  std::vector<int64_t> sorted = perm;
  std::sort(sorted.begin(), sorted.end());
  for (size_t i = 0; i < sorted.size(); ++i)
    if (sorted[i] != static_cast<int64_t>(i) || sorted.size() != x->layout.size())
      return n.unsupported("its perm is not a permutation of the input's axes");
  std::vector<int64_t> runtimePerm;
  Layout layout = transposed(x->layout, perm, runtimePerm);
  bool identity = true;
  for (size_t i = 0; i < runtimePerm.size(); ++i)
    identity &= runtimePerm[i] == static_cast<int64_t>(i);
  if (identity) return view(n, *x, std::move(layout));
  n.emit("transpose", {{"perm", Scalar::str(joined(runtimePerm))}}, {x->op}, std::move(layout));
  return std::nullopt;
}

// x W with W an initializer [in, out] (or W^T of a [out, in] one): a linear
// layer without bias (an Add after it brings one); two computed tensors: a
// batched product.
NodeResult importMatMul(NodeImport& n) {
  const ImportValue *a = nullptr, *b = n.input(1);
  if (auto p = tensorOperand(n, 0, a)) return p;
  int64_t axis = 0;
  if (b && b->isInitializer()) {
    if (b->shape.size() != 2) return n.unsupported("its initializer operand is not a matrix");
    if (auto p = axisOf(n, *a, -1, axis)) return p;
    if (a->shape.back() != b->shape[0]) return n.unsupported("its operands' inner sizes differ");
    plan::ScalarMap attrs = {{"in", number(static_cast<double>(b->shape[0]))},
                             {"out", number(static_cast<double>(b->shape[1]))},
                             {"bias", number(0)},
                             {"init_weight", Scalar::str(b->initializer)}};
    if (!b->transposed) attrs["init_transposed"] = number(1);
    Layout layout = a->layout;
    layout.back() = {b->shape[1]};
    n.emit("linear", std::move(attrs), {a->op}, std::move(layout));
    return std::nullopt;
  }
  if (auto p = tensorOperand(n, 1, b)) return p;
  const size_t rank = a->layout.size();
  int64_t unused = 0;
  if (rank < 2 || b->layout.size() != rank ||
      !std::equal(a->layout.begin(), a->layout.end() - 2, b->layout.begin()))
    return n.unsupported("its operands' batch axes differ");
  for (const ImportValue* v : {a, b})
    for (int64_t last : {-1, -2})
      if (auto p = axisOf(n, *v, last, unused)) return p;
  Layout layout = a->layout;
  layout.back() = b->layout.back();
  n.emit("matmul", {}, {a->op, b->op}, std::move(layout));
  return std::nullopt;
}

NodeResult importSoftmax(NodeImport& n) {
  const ImportValue* x = nullptr;
  if (auto p = tensorOperand(n, 0, x)) return p;
  const auto rank = static_cast<int64_t>(x->layout.size());
  int64_t axis = n.intAttr("axis", n.opset >= 13 ? -1 : 1);
  if (axis < 0) axis += rank;
  if (n.opset < 13 && axis != rank - 1)
    return n.unsupported("before opset 13 Softmax is imported on the last axis only");
  int64_t runtime = 0;
  if (auto p = axisOf(n, *x, axis, runtime)) return p;
  n.emit("softmax", {{"axis", number(static_cast<double>(runtime))}}, {x->op}, x->layout);
  return std::nullopt;
}

NodeResult importConcat(NodeImport& n) {
  if (allInputsConstant(n)) return foldConcat(n);
  std::vector<int> parts;
  const ImportValue* first = nullptr;
  for (int i = 0; i < n.inputCount(); ++i) {
    const ImportValue* x = nullptr;
    if (auto p = tensorOperand(n, i, x)) return p;
    if (!isBatchFirst(x->layout))
      return n.unsupported("it joins tensors whose batch is not their first axis");
    if (!first) first = x;
    parts.push_back(x->op);
  }
  int64_t axis = 0;
  if (auto p = axisOf(n, *first, n.intAttr("axis", 0), axis)) return p;
  n.emit("concat", {{"axis", number(static_cast<double>(axis))}}, parts);
  return std::nullopt;
}

// A block of an initializer's rows (one bound, on axis 0): still a
// parameter, read by the ops after it (a linear layer's weight or bias).
// False where the Slice is something else.
static bool initializerRows(NodeImport& n) {
  const ImportValue* w = n.input(0);
  if (!w || !w->isInitializer() || w->transposed || w->rows >= 0 || w->shape.empty() ||
      w->data->data_type() != onnx::TensorProto::FLOAT)
    return false;
  std::optional<ConstTensor> starts = constantInput(n, 1), ends = constantInput(n, 2);
  std::optional<ConstTensor> axes = n.inputCount() > 3 ? constantInput(n, 3) : std::nullopt;
  std::optional<ConstTensor> steps = n.inputCount() > 4 ? constantInput(n, 4) : std::nullopt;
  if (!starts || !ends || starts->values.size() != 1 || ends->values.size() != 1 ||
      (n.inputCount() > 3 && (!axes || axes->values.size() != 1 || axes->index(0) != 0)) ||
      (n.inputCount() > 4 && (!steps || steps->values.size() != 1 || steps->index(0) != 1)))
    return false;
  const int64_t size = w->shape[0];
  auto clampIndex = [&](int64_t i) { return std::clamp(i < 0 ? i + size : i, int64_t{0}, size); };
  const int64_t start = clampIndex(starts->index(0)), end = clampIndex(ends->index(0));
  if (end <= start) return false;
  ImportValue block = *w;
  if (start != 0 || end != size) {
    block.rowBlock = true;
    block.rowStart += start;
    block.shape[0] = end - start;
    block.initializer = block.initializer.substr(0, block.initializer.find('[')) + "[" +
                        std::to_string(block.rowStart) + ":" +
                        std::to_string(block.rowStart + block.shape[0]) + "]";
  }
  n.define(0, std::move(block));
  return true;
}

// Slices along plain axes with step 1, one slice op per axis.
NodeResult importSlice(NodeImport& n) {
  if (initializerRows(n)) return std::nullopt;
  if (allInputsConstant(n)) return foldSlice(n);
  const ImportValue* x = nullptr;
  if (auto p = tensorOperand(n, 0, x)) return p;
  std::optional<ConstTensor> starts = constantInput(n, 1), ends = constantInput(n, 2);
  std::optional<ConstTensor> axes = n.inputCount() > 3 ? constantInput(n, 3) : std::nullopt;
  std::optional<ConstTensor> steps = n.inputCount() > 4 ? constantInput(n, 4) : std::nullopt;
  if (!starts || !ends || (n.inputCount() > 3 && !axes) || (n.inputCount() > 4 && !steps))
    return n.problem(DiagId::OnnxDynamicShape, "its bounds are not known at import");
  const size_t bounds = starts->values.size();
  if (ends->values.size() != bounds || (axes && axes->values.size() != bounds) ||
      (steps && steps->values.size() != bounds))
    return n.unsupported("its starts, ends, axes and steps differ in length");
  ImportValue current = *x;
  for (size_t k = 0; k < starts->values.size(); ++k) {
    if (steps && steps->values[k] != 1) return n.unsupported("only step 1 is imported");
    int64_t axis = 0;
    const auto onnxAxis = axes ? axes->index(k) : static_cast<int64_t>(k);
    if (auto p = axisOf(n, current, onnxAxis, axis)) return p;
    const int64_t size = current.shape[static_cast<size_t>(axis)];
    auto clampIndex = [&](double v) {
      const auto i = static_cast<int64_t>(std::max(std::min(v, 1e15), -1e15));
      return std::clamp(i < 0 ? i + size : i, int64_t{0}, size);
    };
    const int64_t start = clampIndex(starts->values[k]), end = clampIndex(ends->values[k]);
    if (end <= start) return n.unsupported("it takes no elements");
    if (start == 0 && end == size) continue;
    Layout layout = current.layout;
    const int64_t rank = static_cast<int64_t>(layout.size());
    layout[static_cast<size_t>(onnxAxis < 0 ? onnxAxis + rank : onnxAxis)] = {end - start};
    n.emit("slice",
           {{"axis", number(static_cast<double>(axis))},
            {"start", number(static_cast<double>(start))},
            {"end", number(static_cast<double>(end))}},
           {current.op}, std::move(layout));
    current = *n.value(n.node.output(0));
  }
  n.define(0, current);
  return std::nullopt;
}

// A token table looked up by the model's input ids.
static NodeResult embedding(NodeImport& n, const ImportValue& table, const ImportValue& ids) {
  if (ids.op != 0 || table.shape.size() != 2 || table.transposed || n.intAttr("axis", 0) != 0)
    return n.unsupported("only a [vocabulary, width] table looked up by the model's input "
                         "token ids is imported (as an embedding)");
  n.emit("embedding",
         {{"vocab", number(static_cast<double>(table.shape[0]))},
          {"dim", number(static_cast<double>(table.shape[1]))},
          {"positions", number(0)},
          {"init_weight", Scalar::str(table.initializer)}},
         {0});
  return std::nullopt;
}

// x[:, i] (a constant index of a plain axis): a slice, then a view without
// that axis when the index is a scalar.
NodeResult importGather(NodeImport& n) {
  const ImportValue *data = n.input(0), *ids = n.input(1);
  std::optional<ConstTensor> rows = constantInput(n, 1);
  if (data && rows && n.intAttr("axis", 0) == 0 && leadingRows(*data, *rows)) {
    ImportValue table = *data;
    table.rows = static_cast<int64_t>(rows->values.size());
    table.shape[0] = table.rows;
    n.define(0, std::move(table));
    return std::nullopt;
  }
  if (data && data->isInitializer() && ids && ids->isOp()) return embedding(n, *data, *ids);
  if (allInputsConstant(n)) return foldGather(n);
  const ImportValue* x = nullptr;
  if (auto p = tensorOperand(n, 0, x)) return p;
  std::optional<ConstTensor> index = constantInput(n, 1);
  if (!index || index->values.size() != 1 || index->dims.size() > 1)
    return n.unsupported("only one constant index of a computed tensor is imported");
  const auto rank = static_cast<int64_t>(x->layout.size());
  int64_t onnxAxis = n.intAttr("axis", 0), axis = 0;
  if (onnxAxis < 0) onnxAxis += rank;
  if (auto p = axisOf(n, *x, onnxAxis, axis)) return p;
  const int64_t size = x->shape[static_cast<size_t>(axis)];
  auto at = index->index(0);
  if (at < 0) at += size;
  if (at < 0 || at >= size) return n.unsupported("its index is out of range");
  Layout layout = x->layout;
  layout[static_cast<size_t>(onnxAxis)] = {1};
  n.emit("slice",
         {{"axis", number(static_cast<double>(axis))},
          {"start", number(static_cast<double>(at))},
          {"end", number(static_cast<double>(at + 1))}},
         {x->op}, layout);
  if (!index->dims.empty()) return std::nullopt;
  layout.erase(layout.begin() + onnxAxis);
  return view(n, *n.value(n.node.output(0)), std::move(layout));
}

// A [1, ...] initializer expanded over the batch (a class token): a
// trainable tensor.
NodeResult importExpand(NodeImport& n) {
  const ImportValue* x = n.input(0);
  std::optional<ConstTensor> shape = constantInput(n, 1);
  if (!shape) return n.problem(DiagId::OnnxDynamicShape, "its shape is not known at import");
  if (x && x->isOp()) {
    std::vector<SymbolicDim> target;
    for (size_t i = 0; i < shape->values.size(); ++i)
      target.push_back(SymbolicDim{shape->index(i), shape->isBatch(i)});
    if (!x->layout.empty() && onnxDims(x->layout) == target) return view(n, *x, x->layout);
    return n.unsupported("only an initializer is expanded over the batch");
  }
  if (!x || !x->isInitializer() || x->transposed || x->shape.empty() || x->shape[0] != 1 ||
      shape->values.size() != x->shape.size() || !shape->isBatch(0) || shape->values[0] != 1)
    return n.unsupported("only a [1, ...] initializer expanded to [batch, ...] is imported");
  std::vector<int64_t> dims(x->shape.begin() + 1, x->shape.end());
  for (size_t i = 1; i < shape->values.size(); ++i)
    if (shape->isBatch(i) || (shape->values[i] != 1 && shape->values[i] != x->shape[i]))
      return n.unsupported("it expands the initializer beyond the batch");
  n.emit("parameter",
         {{"dims", Scalar::str(joined(dims))}, {"init_weight", Scalar::str(x->initializer)}}, {0});
  return std::nullopt;
}

NodeResult importLayerNorm(NodeImport& n) {
  const ImportValue* x = nullptr;
  if (auto p = tensorOperand(n, 0, x)) return p;
  int64_t axis = 0;
  if (auto p = axisOf(n, *x, n.intAttr("axis", -1), axis)) return p;
  if (axis != static_cast<int64_t>(x->shape.size()) - 1)
    return n.unsupported("only a norm over the last axis is imported");
  const int64_t features = x->shape.back();
  plan::ScalarMap attrs = {{"features", number(static_cast<double>(features))},
                           {"eps", number(tidy(n.floatAttr("epsilon", 1e-5)))}};
  const char* keys[] = {"init_weight", "init_bias"};
  for (int i = 1; i <= 2 && i < n.inputCount(); ++i) {
    const ImportValue* v = n.input(i);
    if (!v || !v->isInitializer() || v->shape != std::vector<int64_t>{features})
      return n.problem(DiagId::OnnxMissingInitializer,
                       "its scale and bias must be initializers of " + std::to_string(features) +
                           " values");
    attrs[keys[i - 1]] = Scalar::str(v->initializer);
  }
  n.emit("layernorm", std::move(attrs), {x->op}, x->layout);
  return std::nullopt;
}

// masked_fill with a constant causal mask: Where(mask, -inf, scores).
NodeResult importWhere(NodeImport& n) {
  if (allInputsConstant(n)) return foldWhere(n);
  std::optional<ConstTensor> cond = constantInput(n, 0);
  const ImportValue* x = n.input(2);
  std::optional<double> fill = scalarOf(constantInput(n, 1));
  const double inf = std::numeric_limits<double>::infinity();
  bool hides = true;
  if (!fill) { // Where(keep, scores, -inf)
    fill = scalarOf(constantInput(n, 2));
    x = n.input(1);
    hides = false;
  }
  if (!cond || !fill || *fill != -inf || !x || !x->isOp() || x->layout.empty())
    return n.unsupported("only a masked fill of scores with -inf by a constant mask is imported");
  std::optional<int64_t> t = scoresLength(*x);
  if (!t || !isCausal(*cond, *t, hides ? 1 : 0, hides ? 0 : 1))
    return n.unsupported("only a causal mask (later positions hidden) is imported");
  return causalMask(n, *x);
}

} // namespace fiver::onnx_import
