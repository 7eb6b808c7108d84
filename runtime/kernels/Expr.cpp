#include "runtime/kernels/Expr.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace fiver::kernels {

namespace {

struct OpInfo {
  OpCode op;
  const char* name;
  size_t arity;
};

constexpr OpInfo kOps[] = {
    {OpCode::Add, "add", 2},
    {OpCode::Sub, "sub", 2},
    {OpCode::Mul, "mul", 2},
    {OpCode::Div, "div", 2},
    {OpCode::Max, "max", 2},
    {OpCode::Min, "min", 2},
    {OpCode::Neg, "neg", 1},
    {OpCode::Relu, "relu", 1},
    {OpCode::Gelu, "gelu", 1},
    {OpCode::Silu, "silu", 1},
    {OpCode::Sigmoid, "sigmoid", 1},
    {OpCode::Tanh, "tanh", 1},
    {OpCode::Exp, "exp", 1},
    {OpCode::Log, "log", 1},
    {OpCode::Sqrt, "sqrt", 1},
    {OpCode::Rsqrt, "rsqrt", 1},
    {OpCode::Erf, "erf", 1},
    {OpCode::Where, "where", 3},
    {OpCode::CastFp32, "cast_fp32", 1},
    {OpCode::CastBf16, "cast_bf16", 1},
    {OpCode::CastFp16, "cast_fp16", 1},
};

const OpInfo& info(OpCode op) {
  for (const OpInfo& i : kOps)
    if (i.op == op) return i;
  throw std::logic_error("unknown op code");
}

class Parser {
public:
  explicit Parser(std::string_view text) : text_(text) {}

  NodePtr parseAll() {
    NodePtr e = parseOne();
    skipSpace();
    if (pos_ != text_.size()) fail("unexpected text after the expression");
    return e;
  }

private:
  [[noreturn]] void fail(const std::string& message) { throw ExprError(pos_, message); }

  void skipSpace() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_])))
      ++pos_;
  }

  int parseIndex() {
    size_t start = pos_;
    while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_])))
      ++pos_;
    if (start == pos_) fail("expected an index after '%' or '@'");
    if (pos_ - start > 6) {
      pos_ = start;
      fail("index too large");
    }
    return std::atoi(std::string(text_.substr(start, pos_ - start)).c_str());
  }

  NodePtr parseOne() {
    skipSpace();
    if (pos_ >= text_.size()) fail("expected an expression");
    char c = text_[pos_];
    if (c == '%' || c == '@') {
      ++pos_;
      int index = parseIndex();
      return c == '%' ? input(index) : param(index);
    }
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '+' || c == '.')
      return parseNumber();
    if (std::isalpha(static_cast<unsigned char>(c))) return parseCall();
    fail(std::string("unexpected character '") + c + "'");
  }

  NodePtr parseNumber() {
    size_t start = pos_;
    std::string rest(text_.substr(pos_));
    char* end = nullptr;
    double v = std::strtod(rest.c_str(), &end);
    if (end == rest.c_str()) fail("expected a number");
    // strtod also accepts "inf", "nan" and hex; the grammar allows decimals only.
    for (const char* p = rest.c_str(); p != end; ++p)
      if (!std::isdigit(static_cast<unsigned char>(*p)) && !std::strchr("+-.eE", *p)) {
        pos_ = start;
        fail("expected a decimal number");
      }
    pos_ += static_cast<size_t>(end - rest.c_str());
    return number(v);
  }

  NodePtr parseCall() {
    size_t start = pos_;
    while (pos_ < text_.size() &&
           (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_'))
      ++pos_;
    std::string_view name = text_.substr(start, pos_ - start);
    const OpInfo* found = nullptr;
    for (const OpInfo& i : kOps)
      if (name == i.name) found = &i;
    if (!found) {
      pos_ = start;
      fail("unknown operation '" + std::string(name) + "'");
    }
    skipSpace();
    if (pos_ >= text_.size() || text_[pos_] != '(') fail("expected '(' after the operation name");
    ++pos_;
    std::vector<NodePtr> args;
    for (;;) {
      args.push_back(parseOne());
      skipSpace();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < text_.size() && text_[pos_] == ')') break;
      fail("expected ',' or ')'");
    }
    if (args.size() != found->arity) {
      size_t closing = pos_;
      pos_ = start;
      (void)closing;
      fail(std::string("'") + found->name + "' takes " + std::to_string(found->arity) +
           " argument(s), got " + std::to_string(args.size()));
    }
    ++pos_;
    return call(found->op, std::move(args));
  }

  std::string_view text_;
  size_t pos_ = 0;
};

void print(const Node& n, std::string& out) {
  switch (n.kind) {
  case Node::Kind::Input:
    out += "%" + std::to_string(n.index);
    return;
  case Node::Kind::Param:
    out += "@" + std::to_string(n.index);
    return;
  case Node::Kind::Number: {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.9g", n.value);
    out += buf;
    return;
  }
  case Node::Kind::Call:
    out += opName(n.op);
    out += '(';
    for (size_t i = 0; i < n.args.size(); ++i) {
      if (i) out += ',';
      print(*n.args[i], out);
    }
    out += ')';
    return;
  }
}

int maxIndex(const Node& n, Node::Kind kind) {
  int m = n.kind == kind ? n.index + 1 : 0;
  for (const NodePtr& a : n.args)
    m = std::max(m, maxIndex(*a, kind));
  return m;
}

} // namespace

ExprError::ExprError(size_t offset_, const std::string& message)
    : std::runtime_error("byte " + std::to_string(offset_) + ": " + message), offset(offset_) {}

NodePtr input(int index) {
  auto n = std::make_shared<Node>();
  n->kind = Node::Kind::Input;
  n->index = index;
  return n;
}
NodePtr param(int index) {
  auto n = std::make_shared<Node>();
  n->kind = Node::Kind::Param;
  n->index = index;
  return n;
}
NodePtr number(double value) {
  auto n = std::make_shared<Node>();
  n->kind = Node::Kind::Number;
  n->value = value;
  return n;
}
NodePtr call(OpCode op, std::vector<NodePtr> args) {
  if (args.size() != opArity(op))
    throw std::logic_error("wrong arity for " + std::string(opName(op)));
  auto n = std::make_shared<Node>();
  n->kind = Node::Kind::Call;
  n->op = op;
  n->args = std::move(args);
  return n;
}

const char* opName(OpCode op) {
  return info(op).name;
}
size_t opArity(OpCode op) {
  return info(op).arity;
}

NodePtr parseExpr(std::string_view text) {
  return Parser(text).parseAll();
}

std::string printExpr(const Node& node) {
  std::string out;
  print(node, out);
  return out;
}

int inputCount(const Node& node) {
  return maxIndex(node, Node::Kind::Input);
}
int paramCount(const Node& node) {
  return maxIndex(node, Node::Kind::Param);
}

} // namespace fiver::kernels
