#include "runtime/export/OnnxOpExport.h"

#include "compiler/plan/OpKinds.h"
#include "runtime/export/ElementwiseOnnx.h"
#include "runtime/export/FusedExprOnnx.h"
#include "runtime/export/SequenceOpsOnnx.h"
#include "runtime/export/TensorOpsOnnx.h"
#include "runtime/kernels/Expr.h"

#include <array>
#include <stdexcept>

namespace fiver::runtime {

namespace {

using plan::OpKind;
using Context = OnnxOpContext;

// Attributes are read with their defaults, so rows that carry more of them
// (an imported model's padding or groups) export as they run.
int64_t attr(const plan::Op& op, const char* key, int64_t fallback) {
  return static_cast<int64_t>(plan::getNumber(op.attrs, key, static_cast<double>(fallback)));
}

template <typename ModuleImpl> ModuleImpl& moduleOf(Context& c) {
  auto module = std::dynamic_pointer_cast<ModuleImpl>(c.model.moduleOf(c.op.name));
  if (!module) throw std::runtime_error("op '" + c.op.name + "' has no module of its kind");
  return *module;
}

torch::Tensor namedParameter(Context& c, const std::string& name) {
  std::shared_ptr<torch::nn::Module> module = c.model.moduleOf(c.op.name);
  const torch::Tensor* p = module ? module->named_parameters().find(name) : nullptr;
  if (!p) throw std::runtime_error("op '" + c.op.name + "' has no parameter '" + name + "'");
  return *p;
}

const std::string& in0(const Context& c) {
  return c.inputs.at(0);
}

void setWindow(onnx::NodeProto& n, int64_t kernel, int64_t stride, int64_t padding) {
  setInts(n, "kernel_shape", {kernel, kernel});
  setInts(n, "strides", {stride, stride});
  setInts(n, "pads", {padding, padding, padding, padding});
}

std::string exportInput(Context& c) {
  return c.modelInput;
}

// Eval-mode batch norm folded into the conv before it, as
// foldedConvBatchNorm computes it: weights scaled by gamma / sqrt(var + eps)
// per output channel, the bias shifted to match.
std::pair<torch::Tensor, torch::Tensor> foldedConvWeights(Context& c,
                                                          const torch::nn::Conv2dImpl& conv) {
  const std::string bnName = plan::getString(c.op.attrs, "fold_bn", "");
  auto bn = std::dynamic_pointer_cast<torch::nn::BatchNorm2dImpl>(c.model.moduleOf(bnName));
  if (!bn) throw std::runtime_error("conv '" + c.op.name + "' folds '" + bnName + "', no norm");
  torch::NoGradGuard noGrad;
  torch::Tensor scale = torch::rsqrt(bn->running_var.to(torch::kFloat32) + bn->options.eps());
  if (bn->weight.defined()) scale = scale * bn->weight.to(torch::kFloat32);
  torch::Tensor shift = -bn->running_mean.to(torch::kFloat32) * scale;
  if (bn->bias.defined()) shift = shift + bn->bias.to(torch::kFloat32);
  if (conv.bias.defined()) shift = shift + conv.bias.to(torch::kFloat32) * scale;
  return {conv.weight.to(torch::kFloat32) * scale.view({-1, 1, 1, 1}), shift};
}

std::string exportConv(Context& c) {
  auto& conv = moduleOf<torch::nn::Conv2dImpl>(c);
  const bool folded = c.foldedConvs.count(c.op.name) > 0;
  torch::Tensor weight = conv.weight, bias = conv.bias;
  if (folded) std::tie(weight, bias) = foldedConvWeights(c, conv);
  std::vector<std::string> args = {in0(c), c.graph.weight(c.op.name + ".weight", weight)};
  if (bias.defined()) args.push_back(c.graph.weight(c.op.name + ".bias", bias));
  onnx::NodeProto& n = c.graph.node("Conv", args, c.op.name);
  setInts(n, "kernel_shape", {weight.size(2), weight.size(3)});
  const int64_t stride = attr(c.op, "stride", 1), padding = attr(c.op, "padding", 0);
  setInts(n, "strides", {stride, stride});
  setInts(n, "pads", {padding, padding, padding, padding});
  setInt(n, "group", attr(c.op, "groups", 1));
  return OnnxGraph::out(n);
}

std::string exportBatchNorm(Context& c) {
  if (c.foldedConvs.count(plan::getString(c.op.attrs, "folded_into", ""))) return in0(c);
  auto& bn = moduleOf<torch::nn::BatchNorm2dImpl>(c);
  const int64_t features = bn.running_mean.size(0);
  const std::string& name = c.op.name;
  OnnxGraph& g = c.graph;
  onnx::NodeProto& n = g.node(
      "BatchNormalization",
      {in0(c), g.weight(name + ".weight", bn.weight.defined() ? bn.weight : torch::ones(features)),
       g.weight(name + ".bias", bn.bias.defined() ? bn.bias : torch::zeros(features)),
       g.weight(name + ".running_mean", bn.running_mean),
       g.weight(name + ".running_var", bn.running_var)},
      name);
  setFloat(n, "epsilon", static_cast<float>(bn.options.eps()));
  return OnnxGraph::out(n);
}

std::string exportRelu(Context& c) {
  return c.graph.apply("Relu", {in0(c)}, c.op.name);
}
std::string exportGelu(Context& c) {
  return geluOnnx(c.graph, in0(c), c.op.name);
}
std::string exportSilu(Context& c) {
  return siluOnnx(c.graph, in0(c), c.op.name);
}

std::string exportPool(Context& c, const char* onnxOp) {
  onnx::NodeProto& n = c.graph.node(onnxOp, {in0(c)}, c.op.name);
  setWindow(n, attr(c.op, "kernel", 2), attr(c.op, "stride", attr(c.op, "kernel", 2)),
            attr(c.op, "padding", 0));
  // LibTorch's avg_pool2d counts the zero padding in its divisor.
  if (std::string(onnxOp) == "AveragePool") setInt(n, "count_include_pad", 1);
  return OnnxGraph::out(n);
}
std::string exportMaxPool(Context& c) {
  return exportPool(c, "MaxPool");
}
std::string exportAvgPool(Context& c) {
  return exportPool(c, "AveragePool");
}
std::string exportGlobalAvgPool(Context& c) {
  return c.graph.apply("GlobalAveragePool", {in0(c)}, c.op.name);
}
std::string exportGlobalMaxPool(Context& c) {
  return c.graph.apply("GlobalMaxPool", {in0(c)}, c.op.name);
}
std::string exportFlatten(Context& c) {
  onnx::NodeProto& n = c.graph.node("Flatten", {in0(c)}, c.op.name);
  setInt(n, "axis", 1);
  return OnnxGraph::out(n);
}

// x W^T + b: Gemm on [B, in]; on [B, T, in] a MatMul with W^T and an Add.
std::string exportLinear(Context& c) {
  std::vector<torch::Tensor> params = c.model.parametersOf(c.op.name);
  if (params.empty()) throw std::runtime_error("linear '" + c.op.name + "' has no weight");
  const std::string& name = c.op.name;
  OnnxGraph& g = c.graph;
  const bool withBias = params.size() > 1 && params[1].defined();
  if (c.op.shape.size() <= 1) {
    std::vector<std::string> args = {in0(c), g.weight(name + ".weight", params[0])};
    if (withBias) args.push_back(g.weight(name + ".bias", params[1]));
    onnx::NodeProto& n = g.node("Gemm", args, name);
    setInt(n, "transB", 1);
    return OnnxGraph::out(n);
  }
  const std::string product =
      g.apply("MatMul", {in0(c), g.weight(name + ".weight_t", params[0].t())},
              withBias ? name + "/matmul" : name);
  if (!withBias) return product;
  return g.apply("Add", {product, g.weight(name + ".bias", params[1])}, name);
}

std::string exportDropout(Context& c) {
  return in0(c); // evaluation keeps every activation
}

std::string exportAdd(Context& c) {
  return c.graph.apply("Add", {in0(c), c.inputs.at(1)}, c.op.name);
}

std::string exportFused(Context& c) {
  kernels::NodePtr expr = kernels::parseExpr(c.op.expr);
  FusedOnnxInputs in{c.inputs, c.model.parametersOf(c.op.name),
                     static_cast<int64_t>(c.op.shape.size()) + 1};
  return fusedExprOnnx(c.graph, *expr, in, c.op.name);
}

// The fixed 3x3 binomial low-pass of blur2d as a depthwise conv.
std::string exportBlur(Context& c) {
  const int64_t channels = attr(c.op, "channels", c.op.shape.empty() ? 1 : c.op.shape[0]);
  torch::Tensor taps = torch::tensor({1.0f, 2.0f, 1.0f});
  torch::Tensor kernel =
      (torch::outer(taps, taps) / 16.0).view({1, 1, 3, 3}).expand({channels, 1, 3, 3});
  onnx::NodeProto& n =
      c.graph.node("Conv", {in0(c), c.graph.weight(c.op.name + ".kernel", kernel)}, c.op.name);
  setWindow(n, 3, attr(c.op, "stride", 1), 1);
  setInt(n, "group", channels);
  return OnnxGraph::out(n);
}

// x * sigmoid(up(relu(down(mean_hw(x))))), the gate viewed as [B, C, 1, 1].
std::string exportSqueezeExcite(Context& c) {
  OnnxGraph& g = c.graph;
  const std::string& name = c.op.name;
  onnx::NodeProto& mean = g.node("GlobalAveragePool", {in0(c)}, name + "/mean");
  onnx::NodeProto& flat = g.node("Flatten", {OnnxGraph::out(mean)}, name + "/squeeze");
  setInt(flat, "axis", 1);
  std::string x = OnnxGraph::out(flat);
  for (const char* layer : {"down", "up"}) {
    const std::string prefix = std::string(layer);
    onnx::NodeProto& gemm =
        g.node("Gemm",
               {x, g.weight(name + "." + prefix + ".weight", namedParameter(c, prefix + ".weight")),
                g.weight(name + "." + prefix + ".bias", namedParameter(c, prefix + ".bias"))},
               name + "/" + prefix);
    setInt(gemm, "transB", 1);
    x = OnnxGraph::out(gemm);
    if (prefix == "down") x = g.apply("Relu", {x}, name + "/relu");
  }
  const std::string gate = g.apply("Sigmoid", {x}, name + "/gate");
  const std::string view =
      g.apply("Unsqueeze", {gate, g.int64s(name + "/axes", {2, 3})}, name + "/excite");
  return g.apply("Mul", {in0(c), view}, name);
}

// The kinds imported models bring (compiler/onnx), written back as the ONNX
// ops they came from. Clip takes its bounds as inputs since opset 11.
std::string exportClamp(Context& c) {
  OnnxGraph& g = c.graph;
  const auto bound = [&](const char* key, double fallback) {
    return g.scalar(c.op.name + "." + key,
                    static_cast<float>(plan::getNumber(c.op.attrs, key, fallback)));
  };
  return g.apply("Clip", {in0(c), bound("min", 0), bound("max", 6)}, c.op.name);
}
std::string exportHardSigmoid(Context& c) {
  onnx::NodeProto& n = c.graph.node("HardSigmoid", {in0(c)}, c.op.name);
  setFloat(n, "alpha", static_cast<float>(plan::getNumber(c.op.attrs, "alpha", 1.0 / 6)));
  setFloat(n, "beta", static_cast<float>(plan::getNumber(c.op.attrs, "beta", 0.5)));
  return OnnxGraph::out(n);
}
std::string exportSigmoid(Context& c) {
  return c.graph.apply("Sigmoid", {in0(c)}, c.op.name);
}
std::string exportMul(Context& c) {
  return c.graph.apply("Mul", {in0(c), c.inputs.at(1)}, c.op.name);
}

using Exporter = std::string (*)(Context&);
struct OnnxRow {
  OpKind kind;
  Exporter exporter;
};

constexpr std::array<OnnxRow, plan::kOpKindCount> kRows = {{
    {OpKind::Input, exportInput},
    {OpKind::Conv, exportConv},
    {OpKind::BatchNorm, exportBatchNorm},
    {OpKind::Relu, exportRelu},
    {OpKind::Gelu, exportGelu},
    {OpKind::Silu, exportSilu},
    {OpKind::MaxPool, exportMaxPool},
    {OpKind::AvgPool, exportAvgPool},
    {OpKind::GlobalAvgPool, exportGlobalAvgPool},
    {OpKind::GlobalMaxPool, exportGlobalMaxPool},
    {OpKind::Flatten, exportFlatten},
    {OpKind::Linear, exportLinear},
    {OpKind::Dropout, exportDropout},
    {OpKind::Add, exportAdd},
    {OpKind::Fused, exportFused},
    {OpKind::Blur, exportBlur},
    {OpKind::SqueezeExcite, exportSqueezeExcite},
    {OpKind::Embedding, exportEmbeddingToOnnx},
    {OpKind::LayerNorm, exportLayerNormToOnnx},
    {OpKind::CausalAttention, exportCausalAttentionToOnnx},
    {OpKind::Clamp, exportClamp},
    {OpKind::HardSigmoid, exportHardSigmoid},
    {OpKind::Sigmoid, exportSigmoid},
    {OpKind::Mul, exportMul},
    {OpKind::Parameter, exportParameterToOnnx},
    {OpKind::Reshape, exportReshapeToOnnx},
    {OpKind::Transpose, exportTransposeToOnnx},
    {OpKind::Concat, exportConcatToOnnx},
    {OpKind::Slice, exportSliceToOnnx},
    {OpKind::MatMul, exportMatMulToOnnx},
    {OpKind::Scale, exportScaleToOnnx},
    {OpKind::Softmax, exportSoftmaxToOnnx},
    {OpKind::CausalMask, exportCausalMaskToOnnx},
}};

constexpr bool everyKindHasItsRow() {
  for (size_t i = 0; i < kRows.size(); ++i)
    if (static_cast<size_t>(kRows[i].kind) != i || !kRows[i].exporter) return false;
  return true;
}
static_assert(everyKindHasItsRow(),
              "every op kind of OpKinds.def needs its ONNX row here, in the table's order");

} // namespace

std::string exportOpToOnnx(plan::OpKind kind, OnnxOpContext& context) {
  try {
    return kRows[static_cast<size_t>(kind)].exporter(context);
  } catch (const kernels::ExprError& e) {
    throw std::runtime_error("op '" + context.op.name + "' (" + context.op.kind +
                             "): its expression: " + e.what());
  }
}

} // namespace fiver::runtime
