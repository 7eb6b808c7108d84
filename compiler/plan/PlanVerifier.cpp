#include "compiler/plan/PlanVerifier.h"

#include "compiler/plan/OpKinds.h"

#include <optional>

namespace fiver::plan {

namespace {

std::string shapeText(const std::vector<int64_t>& shape) {
  if (shape.empty()) return "[]";
  std::string s;
  for (int64_t d : shape)
    s += (s.empty() ? "" : "x") + std::to_string(d);
  return s;
}

// Collects problems about one op, each prefixed with the op it concerns.
class OpChecker {
public:
  OpChecker(const Op& op, std::vector<std::string>& problems) : op_(op), problems_(problems) {}

  void problem(const std::string& what) {
    problems_.push_back("op " + std::to_string(op_.id) + " '" + op_.name + "' (" + op_.kind +
                        "): " + what);
  }
  bool has(const std::string& key) { return op_.attrs.count(key) != 0; }
  int64_t attr(const std::string& key) {
    return static_cast<int64_t>(getNumber(op_.attrs, key, 0));
  }
  // `key` must equal `actual`: "'out' is 17, but its output shape has 16 channels".
  void expect(const std::string& key, int64_t actual, const std::string& whose,
              const std::string& unit) {
    if (!has(key)) {
      problem("lacks the attribute '" + key + "'");
    } else if (attr(key) != actual) {
      problem("'" + key + "' is " + std::to_string(attr(key)) + ", but " + whose + " has " +
              std::to_string(actual) + " " + unit);
    }
  }
  void positive(const std::string& key) {
    if (!has(key) || attr(key) <= 0) problem("'" + key + "' must be a positive number");
  }

private:
  const Op& op_;
  std::vector<std::string>& problems_;
};

// Convs and pools: a kernel/stride window over an image.
void checkWindow(const Op& op, OpKind kind, const std::vector<int64_t>& in, OpChecker& c) {
  const std::vector<int64_t>& out = op.shape;
  if (in.size() != 3 || out.size() != 3)
    return c.problem("needs a CxHxW input and output, has " + shapeText(in) + " -> " +
                     shapeText(out));
  c.positive("kernel");
  c.positive("stride");
  const bool conv = kind == OpKind::Conv;
  if (conv) {
    c.expect("in", in[0], "its input", "channels");
    c.expect("out", out[0], "its output shape", "channels");
  } else if (in[0] != out[0]) {
    c.problem("keeps the " + std::to_string(in[0]) + " channels of its input, but its shape says " +
              std::to_string(out[0]));
  }
  const int64_t kernel = c.attr("kernel"), stride = c.attr("stride");
  const int64_t pad = c.attr("padding"); // 0 when absent (pools of native models)
  if (kernel > 0 && stride > 0) {
    const int64_t h = (in[1] + 2 * pad - kernel) / stride + 1;
    const int64_t w = (in[2] + 2 * pad - kernel) / stride + 1;
    if (h != out[1] || w != out[2])
      c.problem("kernel " + std::to_string(kernel) + ", stride " + std::to_string(stride) +
                " and padding " + std::to_string(pad) + " turn " + shapeText(in) + " into " +
                std::to_string(h) + "x" + std::to_string(w) + ", but its shape says " +
                shapeText(out));
  }
}

// The checks of one kind: its input's shape (`in`) against its attributes
// and its own shape. Shapes are without the batch dimension.
void checkKind(const Op& op, OpKind kind, const std::vector<const Op*>& inputs, OpChecker& c) {
  const std::vector<int64_t>& in = inputs.front()->shape;
  const std::vector<int64_t>& out = op.shape;
  switch (kind) {
  case OpKind::Conv:
  case OpKind::MaxPool:
  case OpKind::AvgPool:
    return checkWindow(op, kind, in, c);
  case OpKind::BatchNorm:
    return c.expect("features", in.empty() ? 0 : in[0], "its input", "channels");
  case OpKind::Linear:
    if (in.empty() || out.empty()) return c.problem("has an empty shape");
    c.expect("in", in.back(), "its input", "features");
    return c.expect("out", out.back(), "its output shape", "features");
  case OpKind::LayerNorm:
    return c.expect("features", in.empty() ? 0 : in.back(), "its input", "features");
  case OpKind::CausalAttention:
    c.expect("dim", in.empty() ? 0 : in.back(), "its input", "features");
    c.positive("heads");
    if (c.attr("heads") > 0 && c.attr("dim") % c.attr("heads") != 0)
      c.problem("'heads' is " + std::to_string(c.attr("heads")) + ", which does not divide 'dim' " +
                std::to_string(c.attr("dim")));
    return;
  case OpKind::Embedding:
    return c.expect("dim", out.empty() ? 0 : out.back(), "its output shape", "features");
  case OpKind::Blur:
  case OpKind::SqueezeExcite:
    return c.expect("channels", in.empty() ? 0 : in[0], "its input", "channels");
  case OpKind::Add:
    if (inputs.size() == 2 && inputs[0]->shape != inputs[1]->shape)
      c.problem("adds " + shapeText(inputs[0]->shape) + " to " + shapeText(inputs[1]->shape));
    return;
  default: // elementwise ops, pooling to 1x1, flatten: nothing to compare
    return;
  }
}

} // namespace

std::vector<std::string> verifyPlan(const Plan& plan) {
  std::vector<std::string> problems;
  if (plan.ops.empty() || !isKind(plan.ops.front().kind, OpKind::Input))
    problems.push_back("the first op must be the input");
  for (size_t i = 0; i < plan.ops.size(); ++i) {
    const Op& op = plan.ops[i];
    OpChecker c(op, problems);
    if (op.id != static_cast<int>(i))
      c.problem("has id " + std::to_string(op.id) + " at position " + std::to_string(i));
    std::vector<const Op*> inputs;
    for (int id : op.inputs) {
      if (id < 0 || id >= static_cast<int>(i))
        c.problem("reads op " + std::to_string(id) + ", which does not come before it");
      else
        inputs.push_back(&plan.ops[static_cast<size_t>(id)]);
    }
    const std::optional<OpKind> kind = opKindFromName(op.kind);
    if (kind == OpKind::Input || kind == OpKind::Fused) continue; // fused: read by the kernels
    if (inputs.empty()) {
      c.problem("has no input");
      continue;
    }
    if (kind) checkKind(op, *kind, inputs, c);
  }
  return problems;
}

void requireConsistentPlan(const Plan& plan, const std::string& path) {
  std::vector<std::string> problems = verifyPlan(plan);
  if (problems.empty()) return;
  std::string text = path + ": the plan is inconsistent";
  for (const std::string& p : problems)
    text += "\n  " + p;
  throw PlanError(text);
}

} // namespace fiver::plan
