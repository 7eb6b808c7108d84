// The op table: one short function per ONNX op type, mapping a node to
// training-graph ops (or to a value folded at import). Supporting a new op
// is one function here and one row in kImporters.
#include "compiler/onnx/OnnxFile.h"
#include "compiler/onnx/OnnxNodeImport.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <utility>

namespace fiver::onnx_import {

namespace {

using plan::Scalar;

std::string text(const std::vector<int64_t>& v) {
  std::string out;
  for (int64_t d : v)
    out += (out.empty() ? "" : "x") + std::to_string(d);
  return "[" + out + "]";
}

// Input `i` must be computed by an op: the op's index in `op`.
NodeResult operand(const NodeImport& n, int i, int& op) {
  const ImportValue* v = n.input(i);
  if (!v && i < n.inputCount())
    return n.problem(DiagId::OnnxUnsupportedOp,
                     "reads '" + n.node.input(i) + "', which no earlier node computes");
  if (!v || !v->isOp())
    return n.unsupported("input " + std::to_string(i) +
                         " is a constant here; FiveR imports this op on computed values only");
  if (!v->layout.empty() && !isBatchFirst(v->layout))
    return n.unsupported("input " + std::to_string(i) +
                         " does not keep the batch as its first axis, as this op needs");
  op = v->op;
  return std::nullopt;
}

// Input `i` must be an initializer (a parameter FiveR loads and trains).
NodeResult parameter(const NodeImport& n, int i, const char* role, const ImportValue*& out) {
  out = n.input(i);
  if (!out || !out->isInitializer())
    return n.problem(DiagId::OnnxMissingInitializer,
                     std::string("its ") + role + " '" +
                         (i < n.inputCount() ? n.node.input(i) : std::string("(absent)")) +
                         "' is not an initializer of the graph: FiveR starts training from the "
                         "initializers, so parameters must be stored in the file");
  return std::nullopt;
}

// The one value of a per-axis attribute (kernel, stride); `fallback` when
// absent, nullopt when the axes differ.
std::optional<int64_t> square(const std::vector<int64_t>& values, int64_t fallback) {
  if (values.empty()) return fallback;
  if (std::any_of(values.begin(), values.end(), [&](int64_t v) { return v != values[0]; }))
    return std::nullopt;
  return values[0];
}

// kernel, stride and padding of a 2-D window (Conv, MaxPool, AveragePool).
NodeResult windowAttrs(const NodeImport& n, int64_t kernelFallback, plan::ScalarMap& attrs) {
  const std::string autoPad = n.stringAttr("auto_pad", "NOTSET");
  if (autoPad != "NOTSET")
    return n.unsupported("auto_pad " + autoPad + " is not imported: export with explicit pads");
  const std::vector<int64_t> kernelShape = n.intsAttr("kernel_shape");
  if (!kernelShape.empty() && kernelShape.size() != 2)
    return n.unsupported("only 2-D windows are imported, not kernel_shape " + text(kernelShape));
  const std::optional<int64_t> kernel = square(kernelShape, kernelFallback);
  const std::optional<int64_t> stride = square(n.intsAttr("strides"), 1);
  const std::optional<int64_t> pad = square(n.intsAttr("pads"), 0);
  const std::optional<int64_t> dilation = square(n.intsAttr("dilations"), 1);
  if (!kernel || !stride || !pad)
    return n.unsupported("kernel, strides and pads must be equal on both axes and both sides");
  if (dilation != 1) return n.unsupported("dilated windows are not imported");
  attrs["kernel"] = Scalar::num(static_cast<double>(*kernel));
  attrs["stride"] = Scalar::num(static_cast<double>(*stride));
  attrs["padding"] = Scalar::num(static_cast<double>(*pad));
  return std::nullopt;
}

// A float attribute as the plan writes it: seven significant digits, so
// 1e-5 stored as float reads back as 1e-05.
double tidy(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.7g", v);
  return std::strtod(buf, nullptr);
}

NodeResult importConv(NodeImport& n) {
  int x = 0;
  const ImportValue *w = nullptr, *b = nullptr;
  if (auto p = operand(n, 0, x)) return p;
  if (auto p = parameter(n, 1, "weight", w)) return p;
  if (w->shape.size() != 4)
    return n.unsupported("only 2-D convolutions are imported; its weight is " + text(w->shape));
  if (n.inputCount() > 2 && !n.node.input(2).empty())
    if (auto p = parameter(n, 2, "bias", b)) return p;
  plan::ScalarMap attrs;
  if (w->shape[2] != w->shape[3]) return n.unsupported("only square kernels are imported");
  if (auto p = windowAttrs(n, w->shape[2], attrs)) return p;
  const int64_t groups = n.intAttr("group", 1);
  if (groups < 1) return n.unsupported("group must be positive");
  attrs["in"] = Scalar::num(static_cast<double>(w->shape[1] * groups));
  attrs["out"] = Scalar::num(static_cast<double>(w->shape[0]));
  attrs["bias"] = Scalar::num(b ? 1 : 0);
  if (groups != 1) attrs["groups"] = Scalar::num(static_cast<double>(groups));
  attrs["init_weight"] = Scalar::str(w->initializer);
  if (b) attrs["init_bias"] = Scalar::str(b->initializer);
  n.emit("conv", std::move(attrs), {x});
  return std::nullopt;
}

NodeResult importBatchNorm(NodeImport& n) {
  int x = 0;
  if (auto p = operand(n, 0, x)) return p;
  if (n.intAttr("training_mode", 0) != 0)
    return n.unsupported("a norm exported in training mode is not imported: export in eval "
                         "mode with TrainingMode.PRESERVE");
  const char* roles[] = {"scale", "bias", "running mean", "running variance"};
  const char* keys[] = {"init_weight", "init_bias", "init_mean", "init_var"};
  plan::ScalarMap attrs;
  for (int i = 0; i < 4; ++i) {
    const ImportValue* v = nullptr;
    if (auto p = parameter(n, i + 1, roles[i], v)) return p;
    if (v->shape.size() != 1) return n.unsupported(std::string(roles[i]) + " must be 1-D");
    attrs["features"] = Scalar::num(static_cast<double>(v->shape[0]));
    attrs[keys[i]] = Scalar::str(v->initializer);
  }
  attrs["eps"] = Scalar::num(tidy(n.floatAttr("epsilon", 1e-5)));
  // ONNX keeps `momentum` of the old statistics; PyTorch names the new one's share.
  attrs["momentum"] = Scalar::num(tidy(1.0 - n.floatAttr("momentum", 0.9)));
  n.emit("bn", std::move(attrs), {x});
  return std::nullopt;
}

// Elementwise: any layout stays as it is.
NodeResult unary(NodeImport& n, const char* kind, plan::ScalarMap attrs = {}) {
  const ImportValue* v = n.input(0);
  if (v && v->isOp() && !v->layout.empty()) {
    n.emit(kind, std::move(attrs), {v->op}, v->layout);
    return std::nullopt;
  }
  int x = 0;
  if (auto p = operand(n, 0, x)) return p;
  n.emit(kind, std::move(attrs), {x});
  return std::nullopt;
}

NodeResult importRelu(NodeImport& n) {
  return unary(n, "relu");
}
NodeResult importGlobalAveragePool(NodeImport& n) {
  return unary(n, "global_avgpool");
}
NodeResult importGlobalMaxPool(NodeImport& n) {
  return unary(n, "global_maxpool");
}

NodeResult importSigmoid(NodeImport& n) {
  return unary(n, "sigmoid");
}

// A scalar that must be known at import: input `i` folded to a constant, or
// `fallback` when the node leaves it out.
NodeResult scalarInput(const NodeImport& n, int i, const char* role, double fallback, double& out) {
  out = fallback;
  if (i >= n.inputCount() || n.node.input(i).empty()) return std::nullopt;
  const ImportValue* v = n.input(i);
  if (v && v->constant && v->constant->values.size() == 1) {
    out = v->constant->values[0];
    return std::nullopt;
  }
  if (v && v->isInitializer())
    if (std::optional<std::vector<float>> f = floatsOf(*v->data); f && f->size() == 1) {
      out = (*f)[0];
      return std::nullopt;
    }
  return n.problem(DiagId::OnnxDynamicShape,
                   std::string("its ") + role + " '" + n.node.input(i) + "' is not a constant");
}

// Clip: bounds from inputs (opset 11 on) or attributes (before); ReLU6 is
// Clip(0, 6).
NodeResult importClip(NodeImport& n) {
  double lo = n.floatAttr("min", -INFINITY), hi = n.floatAttr("max", INFINITY);
  if (auto p = scalarInput(n, 1, "minimum", lo, lo)) return p;
  if (auto p = scalarInput(n, 2, "maximum", hi, hi)) return p;
  if (lo == 0 && std::isinf(hi)) return unary(n, "relu");
  if (std::isinf(lo) || std::isinf(hi))
    return n.unsupported("only Clip with both bounds (or ReLU's 0 and none) is imported");
  return unary(n, "clamp", {{"min", Scalar::num(tidy(lo))}, {"max", Scalar::num(tidy(hi))}});
}

NodeResult importHardSigmoid(NodeImport& n) {
  return unary(n, "hard_sigmoid",
               {{"alpha", Scalar::num(tidy(n.floatAttr("alpha", 0.2)))},
                {"beta", Scalar::num(tidy(n.floatAttr("beta", 0.5)))}});
}

// HardSwish (opset 14): x * hard_sigmoid(x), as PyTorch's exporter writes
// it for older opsets.
NodeResult importHardSwish(NodeImport& n) {
  int x = 0;
  if (auto p = operand(n, 0, x)) return p;
  const int gate = n.emit("hard_sigmoid",
                          {{"alpha", Scalar::num(tidy(1.0 / 6))}, {"beta", Scalar::num(0.5)}}, {x});
  n.emit("mul", {}, {x, gate});
  return std::nullopt;
}

// Two computed operands of one layout (residual adds in any layout).
NodeResult sameLayoutPair(NodeImport& n, const char* kind) {
  const ImportValue *a = n.input(0), *b = n.input(1);
  if (a && b && a->isOp() && b->isOp() && !a->layout.empty() && a->layout == b->layout &&
      !isBatchFirst(a->layout)) {
    n.emit(kind, {}, {a->op, b->op}, a->layout);
    return std::nullopt;
  }
  int x = 0, y = 0;
  if (auto p = operand(n, 0, x)) return p;
  if (auto p = operand(n, 1, y)) return p;
  n.emit(kind, {}, {x, y});
  return std::nullopt;
}

// Add, Sub, Mul, Div: folded on constants, a bias / table / scale / mask
// with one constant operand, an op on two computed ones.
NodeResult arithmetic(NodeImport& n, const char* kindOfTwo) {
  if (allInputsConstant(n)) return foldArithmetic(n);
  bool handled = false;
  NodeResult r = importArithmeticWithConstant(n, handled);
  if (handled) return r;
  if (!kindOfTwo)
    return n.unsupported("FiveR imports it with a constant operand only, not on two computed "
                         "tensors");
  return sameLayoutPair(n, kindOfTwo);
}

NodeResult importAdd(NodeImport& n) {
  return arithmetic(n, "add");
}
NodeResult importMul(NodeImport& n) {
  return arithmetic(n, "mul");
}
NodeResult importSub(NodeImport& n) {
  return arithmetic(n, nullptr);
}
NodeResult importDiv(NodeImport& n) {
  return arithmetic(n, nullptr);
}

NodeResult importEqual(NodeImport& n) {
  if (allInputsConstant(n)) return foldArithmetic(n);
  return n.unsupported("it compares computed tensors; FiveR folds comparisons of constants only");
}

// Constant-only ops on computed tensors: what they need, named.
NodeResult foldOnly(NodeImport& n, NodeImporter fold) {
  if (allInputsConstant(n) || n.node.op_type() == "Shape") return fold(n);
  return n.unsupported("FiveR imports it on constants and shapes only");
}
NodeResult importShape(NodeImport& n) {
  return foldOnly(n, foldShape);
}
NodeResult importUnsqueeze(NodeImport& n) {
  return foldOnly(n, foldUnsqueeze);
}
NodeResult importSqueeze(NodeImport& n) {
  return foldOnly(n, foldSqueeze);
}
NodeResult importConstantOfShape(NodeImport& n) {
  return foldOnly(n, foldConstantOfShape);
}
NodeResult importRange(NodeImport& n) {
  return foldOnly(n, foldRange);
}
// A cast of a computed float tensor to float changes nothing.
NodeResult importCast(NodeImport& n) {
  if (allInputsConstant(n)) return foldCast(n);
  const ImportValue* v = n.input(0);
  if (v && v->isOp() && n.intAttr("to", 0) == onnx::TensorProto::FLOAT) {
    n.define(0, *v);
    return std::nullopt;
  }
  return n.unsupported("only casts of shapes, and to float, are imported");
}

NodeResult importMaxPool(NodeImport& n) {
  if (n.intAttr("ceil_mode", 0) != 0) return n.unsupported("ceil_mode is not imported");
  if (n.intAttr("storage_order", 0) != 0) return n.unsupported("storage_order is not imported");
  if (n.node.output_size() > 1 && !n.node.output(1).empty())
    return n.unsupported("the indices output is not imported");
  plan::ScalarMap attrs;
  if (auto p = windowAttrs(n, 0, attrs)) return p;
  return unary(n, "maxpool", std::move(attrs));
}

NodeResult importAveragePool(NodeImport& n) {
  if (n.intAttr("ceil_mode", 0) != 0) return n.unsupported("ceil_mode is not imported");
  plan::ScalarMap attrs;
  if (auto p = windowAttrs(n, 0, attrs)) return p;
  if (attrs.at("padding").number != 0 && n.intAttr("count_include_pad", 0) == 0)
    return n.unsupported("padding that averages only the pixels inside the image is not "
                         "imported (count_include_pad 0)");
  return unary(n, "avgpool", std::move(attrs));
}

NodeResult importFlatten(NodeImport& n) {
  if (n.intAttr("axis", 1) != 1)
    return n.unsupported("only Flatten on axis 1 (keeping the batch) is imported");
  return unary(n, "flatten");
}

// Gemm as PyTorch's Linear writes it: y = x W^T + b.
NodeResult importGemm(NodeImport& n) {
  int x = 0;
  const ImportValue *w = nullptr, *b = nullptr;
  const ImportValue* in = n.input(0);
  // On [(T B), E] (a sequence's positions flattened with the batch) too.
  const bool anyLayout = in && in->isOp() && !in->layout.empty() && runtimeAxis(in->layout, -1);
  if (anyLayout)
    x = in->op;
  else if (auto p = operand(n, 0, x))
    return p;
  if (auto p = parameter(n, 1, "weight", w)) return p;
  if (n.inputCount() > 2 && !n.node.input(2).empty())
    if (auto p = parameter(n, 2, "bias", b)) return p;
  if (n.floatAttr("alpha", 1) != 1 || n.floatAttr("beta", 1) != 1 || n.intAttr("transA", 0) != 0 ||
      n.intAttr("transB", 0) != 1 || w->shape.size() != 2)
    return n.unsupported("only x * W^T + b (alpha 1, beta 1, transB 1) is imported");
  if (b && (b->shape.size() != 1 || b->shape[0] != w->shape[0]))
    return n.unsupported("its bias " + text(b->shape) + " is not one value per output");
  plan::ScalarMap attrs;
  attrs["in"] = Scalar::num(static_cast<double>(w->shape[1]));
  attrs["out"] = Scalar::num(static_cast<double>(w->shape[0]));
  attrs["bias"] = Scalar::num(b ? 1 : 0);
  attrs["init_weight"] = Scalar::str(w->initializer);
  if (b) attrs["init_bias"] = Scalar::str(b->initializer);
  if (anyLayout) {
    Layout layout = in->layout;
    layout.back() = {w->shape[0]};
    n.emit("linear", std::move(attrs), {x}, std::move(layout));
    return std::nullopt;
  }
  n.emit("linear", std::move(attrs), {x});
  return std::nullopt;
}

// Identity passes its input on; on an initializer it gives the parameter
// the name the next node reads (initializersByName resolves it at run time).
NodeResult importIdentity(NodeImport& n) {
  const ImportValue* v = n.input(0);
  if (!v)
    return n.problem(DiagId::OnnxUnsupportedOp,
                     n.inputCount() == 0
                         ? std::string("it has no input")
                         : "reads '" + n.node.input(0) + "', which no earlier node computes");
  ImportValue out = *v;
  if (out.isInitializer()) out.initializer = n.node.output(0);
  n.define(0, std::move(out));
  return std::nullopt;
}

NodeResult importDropout(NodeImport& n) {
  double p = n.floatAttr("ratio", 0.5);
  if (const ImportValue* ratio = n.input(1)) {
    if (!ratio->constant || ratio->constant->values.size() != 1)
      return n.problem(DiagId::OnnxDynamicShape, "its ratio is not a constant");
    p = ratio->constant->values[0];
  }
  return unary(n, "dropout", {{"p", Scalar::num(tidy(p))}});
}

NodeResult importGelu(NodeImport& n) {
  if (n.stringAttr("approximate", "none") != "none")
    return n.unsupported("only the exact (erf) GELU is imported");
  return unary(n, "gelu");
}

const std::map<std::string, NodeImporter> kImporters = {
    {"Add", importAdd},
    {"AveragePool", importAveragePool},
    {"BatchNormalization", importBatchNorm},
    {"Cast", importCast},
    {"Clip", importClip},
    {"Concat", importConcat},
    {"Constant", importConstant},
    {"ConstantOfShape", importConstantOfShape},
    {"Conv", importConv},
    {"Div", importDiv},
    {"Dropout", importDropout},
    {"Equal", importEqual},
    {"Expand", importExpand},
    {"Flatten", importFlatten},
    {"Gather", importGather},
    {"Gelu", importGelu},
    {"Gemm", importGemm},
    {"GlobalAveragePool", importGlobalAveragePool},
    {"GlobalMaxPool", importGlobalMaxPool},
    {"HardSigmoid", importHardSigmoid},
    {"HardSwish", importHardSwish},
    {"Identity", importIdentity},
    {"LayerNormalization", importLayerNorm},
    {"MatMul", importMatMul},
    {"MaxPool", importMaxPool},
    {"Mul", importMul},
    {"Range", importRange},
    {"Relu", importRelu},
    {"Reshape", importReshape},
    {"Shape", importShape},
    {"Sigmoid", importSigmoid},
    {"Slice", importSlice},
    {"Softmax", importSoftmax},
    {"Squeeze", importSqueeze},
    {"Sub", importSub},
    {"Transpose", importTranspose},
    {"Unsqueeze", importUnsqueeze},
    {"Where", importWhere},
};

} // namespace

NodeImporter importerFor(const std::string& opType) {
  auto it = kImporters.find(opType);
  return it == kImporters.end() ? nullptr : it->second;
}

std::vector<std::string> importedOpTypes() {
  std::vector<std::string> names;
  for (const auto& [name, importer] : kImporters)
    names.push_back(name);
  return names;
}

} // namespace fiver::onnx_import
