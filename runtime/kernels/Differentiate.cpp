#include "runtime/kernels/Differentiate.h"

#include <cmath>

namespace fiver::kernels {

namespace {

bool isNumber(const NodePtr& n, double v) {
  return n->kind == Node::Kind::Number && n->value == v;
}

// Small algebraic simplifications keep generated kernels short.
NodePtr add(NodePtr a, NodePtr b) {
  if (!a) return b;
  if (!b) return a;
  return call(OpCode::Add, {a, b});
}
NodePtr sub(NodePtr a, NodePtr b) {
  return call(OpCode::Sub, {a, b});
}
NodePtr mul(NodePtr a, NodePtr b) {
  if (isNumber(a, 1)) return b;
  if (isNumber(b, 1)) return a;
  return call(OpCode::Mul, {a, b});
}
NodePtr div(NodePtr a, NodePtr b) {
  return call(OpCode::Div, {a, b});
}
NodePtr neg(NodePtr a) {
  return call(OpCode::Neg, {a});
}
NodePtr num(double v) {
  return number(v);
}
NodePtr where(NodePtr c, NodePtr a, NodePtr b) {
  return call(OpCode::Where, {c, a, b});
}
NodePtr un(OpCode op, NodePtr a) {
  return call(op, {a});
}

class Differentiator {
public:
  Differentiator(int inputs, int params) {
    result_.gradInput = inputs;
    result_.inputGrads.resize(static_cast<size_t>(inputs));
    result_.paramGrads.resize(static_cast<size_t>(params));
  }

  void run(const NodePtr& n, const NodePtr& g) {
    switch (n->kind) {
    case Node::Kind::Number:
      return;
    case Node::Kind::Input:
      accumulate(result_.inputGrads, n->index, g);
      return;
    case Node::Kind::Param:
      accumulate(result_.paramGrads, n->index, g);
      return;
    case Node::Kind::Call:
      break;
    }
    const NodePtr& x = n->args[0];
    switch (n->op) {
    case OpCode::Add:
      run(x, g), run(n->args[1], g);
      return;
    case OpCode::Sub:
      run(x, g), run(n->args[1], neg(g));
      return;
    case OpCode::Mul:
      run(x, mul(g, n->args[1])), run(n->args[1], mul(g, x));
      return;
    case OpCode::Div:
      run(x, div(g, n->args[1]));
      run(n->args[1], neg(div(mul(g, n), n->args[1]))); // -g*x/y^2 = -g*(x/y)/y
      return;
    case OpCode::Max:
    case OpCode::Min: {
      // Ties send the gradient to the first argument.
      NodePtr d = n->op == OpCode::Max ? sub(x, n->args[1]) : sub(n->args[1], x);
      NodePtr cond = where(neg(d), num(0), num(1)); // 1 when d >= 0
      run(x, where(cond, g, num(0)));
      run(n->args[1], where(cond, num(0), g));
      return;
    }
    case OpCode::Neg:
      run(x, neg(g));
      return;
    case OpCode::Relu:
      run(x, where(x, g, num(0)));
      return;
    case OpCode::Gelu: {
      // d/dx x*Phi(x) = Phi(x) + x*phi(x)
      NodePtr cdf = mul(num(0.5), add(num(1), un(OpCode::Erf, mul(x, num(M_SQRT1_2)))));
      NodePtr pdf = mul(num(0.3989422804014327), un(OpCode::Exp, mul(num(-0.5), mul(x, x))));
      run(x, mul(g, add(cdf, mul(x, pdf))));
      return;
    }
    case OpCode::Silu: {
      NodePtr s = un(OpCode::Sigmoid, x);
      run(x, mul(g, mul(s, add(num(1), mul(x, sub(num(1), s))))));
      return;
    }
    case OpCode::Sigmoid:
      run(x, mul(g, mul(n, sub(num(1), n))));
      return;
    case OpCode::Tanh:
      run(x, mul(g, sub(num(1), mul(n, n))));
      return;
    case OpCode::Exp:
      run(x, mul(g, n));
      return;
    case OpCode::Log:
      run(x, div(g, x));
      return;
    case OpCode::Sqrt:
      run(x, div(mul(g, num(0.5)), n));
      return;
    case OpCode::Rsqrt:
      run(x, mul(g, mul(num(-0.5), mul(n, mul(n, n)))));
      return;
    case OpCode::Erf:
      run(x, mul(g, mul(num(1.1283791670955126), un(OpCode::Exp, neg(mul(x, x))))));
      return;
    case OpCode::Where:
      run(n->args[1], where(x, g, num(0)));
      run(n->args[2], where(x, num(0), g));
      return;
    case OpCode::CastFp32:
    case OpCode::CastBf16:
    case OpCode::CastFp16:
      run(x, g);
      return;
    }
  }

  BackwardExprs take() { return std::move(result_); }

private:
  static void accumulate(std::vector<NodePtr>& grads, int index, const NodePtr& g) {
    if (index < 0 || static_cast<size_t>(index) >= grads.size())
      throw std::out_of_range("expression index out of range");
    grads[static_cast<size_t>(index)] = add(grads[static_cast<size_t>(index)], g);
  }

  BackwardExprs result_;
};

} // namespace

BackwardExprs differentiate(const Node& forward, int inputs, int params) {
  Differentiator d(inputs, params);
  // Share the root node so derivatives that reuse the output (exp, tanh, ...)
  // point at one subtree.
  NodePtr root = std::make_shared<Node>(forward);
  d.run(root, kernels::input(inputs));
  return d.take();
}

} // namespace fiver::kernels
