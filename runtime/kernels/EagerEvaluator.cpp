#include "runtime/kernels/EagerEvaluator.h"

#include <stdexcept>

namespace fiver::kernels {

namespace {

class Evaluator {
public:
  Evaluator(const std::vector<torch::Tensor>& inputs, const std::vector<torch::Tensor>& params)
      : inputs_(inputs), params_(params) {
    for (const torch::Tensor& t : inputs)
      if (t.defined()) rank_ = std::max(rank_, t.dim());
  }

  torch::Tensor eval(const Node& n) {
    switch (n.kind) {
    case Node::Kind::Number:
      return torch::scalar_tensor(n.value, torch::kFloat);
    case Node::Kind::Input:
      return at(inputs_, n.index, "input").to(torch::kFloat);
    case Node::Kind::Param:
      return channelView(at(params_, n.index, "parameter"));
    case Node::Kind::Call:
      break;
    }
    torch::Tensor a = eval(*n.args[0]);
    switch (n.op) {
    case OpCode::Add:
      return a + eval(*n.args[1]);
    case OpCode::Sub:
      return a - eval(*n.args[1]);
    case OpCode::Mul:
      return a * eval(*n.args[1]);
    case OpCode::Div:
      return a / eval(*n.args[1]);
    case OpCode::Max:
      return torch::maximum(a, eval(*n.args[1]));
    case OpCode::Min:
      return torch::minimum(a, eval(*n.args[1]));
    case OpCode::Neg:
      return -a;
    case OpCode::Relu:
      return torch::relu(a);
    case OpCode::Gelu:
      return torch::gelu(a);
    case OpCode::Silu:
      return torch::silu(a);
    case OpCode::Sigmoid:
      return torch::sigmoid(a);
    case OpCode::Tanh:
      return torch::tanh(a);
    case OpCode::Exp:
      return torch::exp(a);
    case OpCode::Log:
      return torch::log(a);
    case OpCode::Sqrt:
      return torch::sqrt(a);
    case OpCode::Rsqrt:
      return torch::rsqrt(a);
    case OpCode::Erf:
      return torch::erf(a);
    case OpCode::Where:
      return torch::where(a > 0, eval(*n.args[1]), eval(*n.args[2]));
    // Rounding to the narrow type is the observable effect; arithmetic stays fp32.
    case OpCode::CastFp32:
      return a;
    case OpCode::CastBf16:
      return a.to(torch::kBFloat16).to(torch::kFloat);
    case OpCode::CastFp16:
      return a.to(torch::kHalf).to(torch::kFloat);
    }
    throw std::logic_error("unhandled op");
  }

private:
  static const torch::Tensor& at(const std::vector<torch::Tensor>& v, int i, const char* what) {
    if (i < 0 || static_cast<size_t>(i) >= v.size())
      throw std::out_of_range(std::string("the expression reads ") + what + " " +
                              std::to_string(i) + ", but only " + std::to_string(v.size()) +
                              " are given");
    return v[static_cast<size_t>(i)];
  }

  torch::Tensor channelView(const torch::Tensor& p) const {
    std::vector<int64_t> shape(static_cast<size_t>(std::max<int64_t>(rank_, 2)), 1);
    shape[1] = p.numel();
    return p.to(torch::kFloat).view(shape);
  }

  const std::vector<torch::Tensor>& inputs_;
  const std::vector<torch::Tensor>& params_;
  int64_t rank_ = 0;
};

torch::ScalarType resultType(const Node& expr, const std::vector<torch::Tensor>& inputs) {
  if (expr.kind == Node::Kind::Call) {
    if (expr.op == OpCode::CastFp32) return torch::kFloat;
    if (expr.op == OpCode::CastBf16) return torch::kBFloat16;
    if (expr.op == OpCode::CastFp16) return torch::kHalf;
  }
  for (const torch::Tensor& t : inputs)
    if (t.defined()) return t.scalar_type();
  return torch::kFloat;
}

} // namespace

torch::Tensor evaluateEager(const Node& expr, const std::vector<torch::Tensor>& inputs,
                            const std::vector<torch::Tensor>& params) {
  torch::Tensor out = Evaluator(inputs, params).eval(expr);
  torch::ScalarType type = resultType(expr, inputs);
  return out.scalar_type() == type ? out : out.to(type);
}

} // namespace fiver::kernels
