#include "runtime/export/FusedExprOnnx.h"

#include "runtime/export/ElementwiseOnnx.h"

#include <map>
#include <stdexcept>

namespace fiver::runtime {

namespace {

using kernels::Node;
using kernels::OpCode;

// ONNX operators computing one OpCode exactly as the kernels do.
const char* directOnnxOp(OpCode op) {
  switch (op) {
  case OpCode::Add:
    return "Add";
  case OpCode::Sub:
    return "Sub";
  case OpCode::Mul:
    return "Mul";
  case OpCode::Div:
    return "Div";
  case OpCode::Max:
    return "Max";
  case OpCode::Min:
    return "Min";
  case OpCode::Neg:
    return "Neg";
  case OpCode::Relu:
    return "Relu";
  case OpCode::Sigmoid:
    return "Sigmoid";
  case OpCode::Tanh:
    return "Tanh";
  case OpCode::Exp:
    return "Exp";
  case OpCode::Log:
    return "Log";
  case OpCode::Sqrt:
    return "Sqrt";
  case OpCode::Erf:
    return "Erf";
  default:
    return nullptr;
  }
}

class FusedEmitter {
public:
  FusedEmitter(OnnxGraph& g, const FusedOnnxInputs& in, const std::string& hint)
      : g_(g), in_(in), hint_(hint) {}

  std::string emit(const Node& n) {
    auto done = emitted_.find(&n); // subtrees shared by the expression: once
    if (done != emitted_.end()) return done->second;
    return emitted_[&n] = emitNew(n);
  }

private:
  std::string emitNew(const Node& n) {
    switch (n.kind) {
    case Node::Kind::Input:
      return valueAt(in_.inputs, n.index, "input");
    case Node::Kind::Number:
      return g_.scalar(hint_ + "/const", static_cast<float>(n.value));
    case Node::Kind::Param:
      return param(n.index);
    case Node::Kind::Call:
      break;
    }
    std::vector<std::string> args;
    for (const kernels::NodePtr& a : n.args)
      args.push_back(emit(*a));
    const std::string step = hint_ + "/" + kernels::opName(n.op);
    if (const char* op = directOnnxOp(n.op)) return g_.apply(op, args, step);
    switch (n.op) {
    case OpCode::Gelu:
      return geluOnnx(g_, args[0], step);
    case OpCode::Silu:
      return siluOnnx(g_, args[0], step);
    case OpCode::Rsqrt:
      return g_.apply("Reciprocal", {g_.apply("Sqrt", args, step + "/sqrt")}, step);
    case OpCode::Where: {
      const std::string positive =
          g_.apply("Greater", {args[0], g_.scalar(step + "/zero", 0.0f)}, step + "/positive");
      return g_.apply("Where", {positive, args[1], args[2]}, step);
    }
    case OpCode::CastFp32:
    case OpCode::CastBf16:
    case OpCode::CastFp16:
      return args[0];
    default:
      throw std::logic_error(std::string("no ONNX form for ") + kernels::opName(n.op));
    }
  }

  // [C] viewed as [C, 1, ...] so that it broadcasts along dimension 1.
  std::string param(int index) {
    if (index < 0 || static_cast<size_t>(index) >= in_.params.size())
      throw std::runtime_error("the expression reads parameter @" + std::to_string(index) + " of " +
                               std::to_string(in_.params.size()));
    const torch::Tensor& p = in_.params[static_cast<size_t>(index)];
    std::vector<int64_t> shape(static_cast<size_t>(std::max<int64_t>(in_.rank - 1, 1)), 1);
    shape[0] = p.numel();
    return g_.weight(hint_ + "/param" + std::to_string(index), p, shape);
  }

  static std::string valueAt(const std::vector<std::string>& v, int i, const char* what) {
    if (i < 0 || static_cast<size_t>(i) >= v.size())
      throw std::runtime_error(std::string("the expression reads ") + what + " %" +
                               std::to_string(i) + " of " + std::to_string(v.size()));
    return v[static_cast<size_t>(i)];
  }

  OnnxGraph& g_;
  const FusedOnnxInputs& in_;
  std::string hint_;
  std::map<const Node*, std::string> emitted_;
};

} // namespace

std::string fusedExprOnnx(OnnxGraph& g, const kernels::Node& expr, const FusedOnnxInputs& in,
                          const std::string& hint) {
  return FusedEmitter(g, in, hint).emit(expr);
}

} // namespace fiver::runtime
