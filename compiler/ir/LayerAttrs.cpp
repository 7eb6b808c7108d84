#include "compiler/ir/LayerAttrs.h"

namespace fiver::ir {

namespace {

using plan::OpKind;

int64_t intArg(const ParamMap& args, const std::string& key, int64_t fallback) {
  auto it = args.find(key);
  return it == args.end() ? fallback : static_cast<int64_t>(it->second.number);
}

bool flagArg(const ParamMap& args, const std::string& key, bool fallback) {
  auto it = args.find(key);
  return it == args.end() ? fallback : it->second.boolean;
}

plan::Scalar count(int64_t v) {
  return plan::Scalar::num(static_cast<double>(v));
}

int64_t channels(const LayerSite& s) {
  return s.inputShape.empty() ? 0 : s.inputShape[0];
}

int64_t lastDim(const LayerSite& s) {
  return s.inputShape.empty() ? 0 : s.inputShape.back();
}

void convAttrs(const LayerSite& s, plan::ScalarMap& attrs) {
  const ParamMap& args = s.layer.args;
  const int64_t kernel = intArg(args, "kernel", 3);
  attrs["in"] = count(channels(s));
  attrs["out"] = count(intArg(args, "out", 0));
  attrs["kernel"] = count(kernel);
  attrs["stride"] = count(intArg(args, "stride", 1));
  attrs["padding"] = count(intArg(args, "padding", kernel / 2));
  attrs["bias"] = count(flagArg(args, "bias", false));
}

// Flat features, or the features of each position of a sequence.
void linearAttrs(const LayerSite& s, plan::ScalarMap& attrs) {
  const size_t rank = s.inputShape.size();
  attrs["in"] = count(rank == 1 || rank == 2 ? s.inputShape.back() : 0);
  attrs["out"] = count(intArg(s.layer.args, "out", 0));
  attrs["bias"] = count(flagArg(s.layer.args, "bias", true));
}

void poolAttrs(const LayerSite& s, plan::ScalarMap& attrs) {
  const int64_t kernel = intArg(s.layer.args, "kernel", 2);
  attrs["kernel"] = count(kernel);
  attrs["stride"] = count(intArg(s.layer.args, "stride", kernel));
}

// Token and position tables: the vocabulary is the task's classes (a
// language model predicts the next token), the positions its length.
std::string embeddingAttrs(const LayerSite& s, plan::ScalarMap& attrs) {
  if (!plan::isKind(s.inputKind, OpKind::Input) || s.task.inputShape.size() != 1)
    return "'embedding' reads the token ids of a text task: it must be the model's first layer, "
           "and the task's input must be [sequence length]";
  attrs["vocab"] = count(s.task.classes);
  attrs["dim"] = count(intArg(s.layer.args, "dim", 0));
  attrs["positions"] = count(channels(s));
  return {};
}

void dropoutAttrs(const LayerSite& s, plan::ScalarMap& attrs) {
  auto p = s.layer.args.find("p");
  attrs["p"] = plan::Scalar::num(p == s.layer.args.end() ? 0.5 : p->second.number);
}

} // namespace

std::string layerAttrs(OpKind kind, const LayerSite& site, plan::ScalarMap& attrs) {
  switch (kind) {
  case OpKind::Conv:
    convAttrs(site, attrs);
    break;
  case OpKind::BatchNorm:
    attrs["features"] = count(channels(site));
    break;
  case OpKind::Linear:
    linearAttrs(site, attrs);
    break;
  case OpKind::MaxPool:
  case OpKind::AvgPool:
    poolAttrs(site, attrs);
    break;
  case OpKind::Embedding:
    return embeddingAttrs(site, attrs);
  case OpKind::LayerNorm:
    attrs["features"] = count(lastDim(site));
    break;
  case OpKind::CausalAttention:
    attrs["dim"] = count(lastDim(site));
    attrs["heads"] = count(intArg(site.layer.args, "heads", 4));
    break;
  case OpKind::Dropout:
    dropoutAttrs(site, attrs);
    break;
  // Attribute-free layers, and the kinds only the graph's passes make.
  case OpKind::Input:
  case OpKind::Relu:
  case OpKind::Gelu:
  case OpKind::Silu:
  case OpKind::GlobalAvgPool:
  case OpKind::GlobalMaxPool:
  case OpKind::Flatten:
  case OpKind::Add:
  case OpKind::Fused:
  case OpKind::Blur:
  case OpKind::SqueezeExcite:
  case OpKind::Clamp: // imported models only (compiler/onnx sets their attributes)
  case OpKind::HardSigmoid:
  case OpKind::Sigmoid:
  case OpKind::Mul:
  case OpKind::Parameter:
  case OpKind::Reshape:
  case OpKind::Transpose:
  case OpKind::Concat:
  case OpKind::Slice:
  case OpKind::MatMul:
  case OpKind::Scale:
  case OpKind::Softmax:
  case OpKind::CausalMask:
    break;
  }
  return {};
}

} // namespace fiver::ir
