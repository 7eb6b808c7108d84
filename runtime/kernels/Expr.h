// The fused-expression IR (docs/fused-expr.md): a tree of elementwise
// operations over the fused op's inputs (%i), parameters (@k) and constants.
// Torch-free so the compiler side and code generators can use it.
#pragma once

#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace fiver::kernels {

enum class OpCode {
  Add,
  Sub,
  Mul,
  Div,
  Max,
  Min,
  Neg,
  Relu,
  Gelu,
  Silu,
  Sigmoid,
  Tanh,
  Exp,
  Log,
  Sqrt,
  Rsqrt,
  Erf, // used by gelu's derivative
  Where,
  CastFp32,
  CastBf16,
  CastFp16,
};

struct Node;
using NodePtr = std::shared_ptr<const Node>;

struct Node {
  enum class Kind { Input, Param, Number, Call };
  Kind kind = Kind::Number;
  int index = 0;      // Input, Param
  double value = 0.0; // Number
  OpCode op = OpCode::Add;
  std::vector<NodePtr> args;
};

NodePtr input(int index);
NodePtr param(int index);
NodePtr number(double value);
NodePtr call(OpCode op, std::vector<NodePtr> args);

// Thrown on malformed text; `offset` is the byte offset in the expression.
class ExprError : public std::runtime_error {
public:
  ExprError(size_t offset, const std::string& message);
  size_t offset;
};

const char* opName(OpCode op);
size_t opArity(OpCode op);

NodePtr parseExpr(std::string_view text);
// Canonical text: no spaces, numbers with %.9g.
std::string printExpr(const Node& node);

// One more than the largest %i / @k index used (0 when none).
int inputCount(const Node& node);
int paramCount(const Node& node);

} // namespace fiver::kernels
