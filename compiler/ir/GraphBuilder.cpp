#include "compiler/ir/GraphBuilder.h"

#include <algorithm>
#include <map>

namespace fiver::ir {

namespace {

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

std::string shapeText(const std::vector<int64_t>& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i)
    out += (i ? "x" : "") + std::to_string(s[i]);
  return out.empty() ? "scalar" : out;
}

int64_t attr(const OpNode& op, const char* key) {
  return static_cast<int64_t>(plan::getNumber(op.attrs, key, 0));
}

class Builder {
public:
  Builder(TrainingGraph& g, DiagnosticEngine& diags) : g_(g), diags_(diags) {}

  OpId input(const std::vector<int64_t>& shape, SourceRange where) {
    OpNode op;
    op.kind = "input";
    op.name = "input";
    op.shape = shape;
    op.where = where;
    return boost::add_vertex(op, g_.model);
  }

  // Appends `layers` after `from`; returns the last op, or nullopt on error.
  std::optional<OpId> sequence(const std::vector<LayerSpec>& layers, OpId from) {
    OpId current = from;
    for (const LayerSpec& l : layers) {
      std::optional<OpId> next = layer(l, current);
      if (!next) return std::nullopt;
      current = *next;
    }
    return current;
  }

private:
  std::optional<OpId> layer(const LayerSpec& l, OpId from) {
    if (l.kind == "sequence") return sequence(l.body, from);
    if (l.kind == "residual") {
      std::optional<OpId> branch = sequence(l.body, from);
      if (!branch) return std::nullopt;
      std::optional<OpId> shortcut = sequence(l.shortcut, from);
      if (!shortcut) return std::nullopt;
      OpNode add;
      add.kind = "add";
      add.where = l.where;
      return addOp(std::move(add), {*branch, *shortcut});
    }
    OpNode op;
    op.kind = l.kind;
    op.where = l.where;
    // The attributes the runtime builds the layer from; defaults as in sema's
    // layer table, for specs that leave them out.
    const std::vector<int64_t>& in = g_.model[from].shape;
    const int64_t channels = in.empty() ? 0 : in[0];
    if (l.kind == "conv") {
      const int64_t kernel = intArg(l.args, "kernel", 3);
      op.attrs["in"] = count(channels);
      op.attrs["out"] = count(intArg(l.args, "out", 0));
      op.attrs["kernel"] = count(kernel);
      op.attrs["stride"] = count(intArg(l.args, "stride", 1));
      op.attrs["padding"] = count(intArg(l.args, "padding", kernel / 2));
      op.attrs["bias"] = count(flagArg(l.args, "bias", false));
    } else if (l.kind == "bn") {
      op.attrs["features"] = count(channels);
    } else if (l.kind == "linear") {
      // Flat features, or the features of each position of a sequence.
      op.attrs["in"] = count(in.size() == 1 || in.size() == 2 ? in.back() : 0);
      op.attrs["out"] = count(intArg(l.args, "out", 0));
      op.attrs["bias"] = count(flagArg(l.args, "bias", true));
    } else if (l.kind == "maxpool" || l.kind == "avgpool") {
      const int64_t kernel = intArg(l.args, "kernel", 2);
      op.attrs["kernel"] = count(kernel);
      op.attrs["stride"] = count(intArg(l.args, "stride", kernel));
    } else if (l.kind == "embedding") {
      // Token and position tables: the vocabulary is the task's classes (a
      // language model predicts the next token), the positions its length.
      if (g_.model[from].kind != "input" || g_.recipe.task.inputShape.size() != 1) {
        diags_.report(DiagId::ShapeError, l.where,
                      "'embedding' reads the token ids of a text task: it must be the model's "
                      "first layer, and the task's input must be [sequence length]");
        return std::nullopt;
      }
      op.attrs["vocab"] = count(g_.recipe.task.classes);
      op.attrs["dim"] = count(intArg(l.args, "dim", 0));
      op.attrs["positions"] = count(channels);
    } else if (l.kind == "layernorm") {
      op.attrs["features"] = count(in.empty() ? 0 : in.back());
    } else if (l.kind == "causal_attention") {
      op.attrs["dim"] = count(in.empty() ? 0 : in.back());
      op.attrs["heads"] = count(intArg(l.args, "heads", 4));
    } else if (l.kind == "dropout") {
      auto p = l.args.find("p");
      op.attrs["p"] = plan::Scalar::num(p == l.args.end() ? 0.5 : p->second.number);
    }
    return addOp(std::move(op), {from});
  }

  std::optional<OpId> addOp(OpNode op, const std::vector<OpId>& inputs) {
    op.name = op.kind + std::to_string(++ordinals_[op.kind]);
    std::vector<std::vector<int64_t>> shapes;
    for (OpId i : inputs)
      shapes.push_back(g_.model[i].shape);
    if (std::string error = inferShape(op, shapes); !error.empty()) {
      diags_.report(DiagId::ShapeError, op.where, error);
      return std::nullopt;
    }
    OpId id = boost::add_vertex(op, g_.model);
    for (size_t k = 0; k < inputs.size(); ++k)
      boost::add_edge(inputs[k], id, OperandEdge{static_cast<int>(k)}, g_.model);
    return id;
  }

  TrainingGraph& g_;
  DiagnosticEngine& diags_;
  std::map<std::string, int> ordinals_;
};

int64_t ceilDiv(int64_t a, int64_t b) {
  return (a + b - 1) / b;
}

bool layOutTimeline(TrainingGraph& g, DiagnosticEngine& diags) {
  const CheckedRecipe& r = g.recipe;
  Timeline& t = g.timeline;
  t.trainSize = r.task.trainSize;
  // Held-out examples leave the training split before any subset is taken.
  t.holdout = r.holdout;
  if (t.holdout > 0 && t.trainSize > t.holdout) t.trainSize -= t.holdout;
  if (r.trainSubset > 0 && (t.trainSize == 0 || r.trainSubset < t.trainSize))
    t.trainSize = r.trainSubset;
  if (t.trainSize <= 0) {
    diags.report(DiagId::MissingSetting, r.task.where,
                 "task '" + r.task.name + "' must give its train_size");
    return false;
  }
  if (r.batchSize <= 0) {
    diags.report(DiagId::SettingType, r.budget.where,
                 "batch_size must be positive, not " + std::to_string(r.batchSize));
    return false;
  }
  t.batchSize = r.batchSize;
  t.stepsPerEpoch = ceilDiv(t.trainSize, r.batchSize);
  switch (r.budget.unit) {
  case Unit::Epochs:
    t.totalSteps =
        static_cast<int64_t>(r.budget.amount * static_cast<double>(t.stepsPerEpoch) + 0.5);
    break;
  case Unit::Steps:
    t.totalSteps = static_cast<int64_t>(r.budget.amount);
    break;
  case Unit::Samples:
    t.totalSteps = ceilDiv(static_cast<int64_t>(r.budget.amount), r.batchSize);
    break;
  default:
    diags.report(DiagId::UnsupportedBudget, r.budget.where,
                 "a wall-clock budget cannot be fitted by the schedule yet: give epochs, steps "
                 "or samples");
    return false;
  }
  t.totalSteps = std::max<int64_t>(1, t.totalSteps);
  t.epochs = ceilDiv(t.totalSteps, t.stepsPerEpoch);
  return true;
}

} // namespace

std::string inferShape(OpNode& op, const std::vector<std::vector<int64_t>>& inputs) {
  if (op.kind == "input") return {};
  if (inputs.empty()) return "'" + op.kind + "' has no input";
  const std::vector<int64_t>& in = inputs[0];
  const std::string where = "'" + op.kind + "' ";
  auto needImage = [&]() -> std::string {
    if (in.size() != 3)
      return where + "needs a CxHxW input, but gets " + shapeText(in) + " (is it after flatten?)";
    return {};
  };
  auto positive = [&](const char* key) -> std::string {
    if (attr(op, key) <= 0)
      return where + "needs a positive " + key + ", not " + std::to_string(attr(op, key));
    return {};
  };
  if (op.kind == "conv" || op.kind == "maxpool" || op.kind == "avgpool") {
    if (std::string e = needImage(); !e.empty()) return e;
    for (const char* key : {"kernel", "stride"})
      if (std::string e = positive(key); !e.empty()) return e;
    if (op.kind == "conv")
      if (std::string e = positive("out"); !e.empty()) return e;
    const int64_t k = attr(op, "kernel"), s = attr(op, "stride");
    const int64_t p = op.kind == "conv" ? attr(op, "padding") : 0;
    // floor((size + 2p - k) / s) + 1, and the window must fit at least once.
    if (p < 0 || in[1] + 2 * p < k || in[2] + 2 * p < k)
      return where + "with kernel " + std::to_string(k) + " does not fit its " + shapeText(in) +
             " input";
    const int64_t h = (in[1] + 2 * p - k) / s + 1, w = (in[2] + 2 * p - k) / s + 1;
    const int64_t c = op.kind == "conv" ? attr(op, "out") : in[0];
    if (op.kind == "conv" && attr(op, "in") != in[0])
      return where + "expects " + std::to_string(attr(op, "in")) + " input channels, gets " +
             std::to_string(in[0]);
    op.shape = {c, h, w};
  } else if (op.kind == "bn") {
    if (std::string e = needImage(); !e.empty()) return e;
    if (attr(op, "features") != in[0])
      return where + "normalizes " + std::to_string(attr(op, "features")) + " channels, gets " +
             std::to_string(in[0]);
    op.shape = in;
  } else if (op.kind == "global_avgpool" || op.kind == "global_maxpool") {
    if (std::string e = needImage(); !e.empty()) return e;
    op.shape = {in[0], 1, 1};
  } else if (op.kind == "flatten") {
    int64_t n = 1;
    for (int64_t d : in)
      n *= d;
    op.shape = {n};
  } else if (op.kind == "linear") {
    // A flat vector, or a sequence of them ([T, features]: each position).
    if (in.size() != 1 && in.size() != 2)
      return where + "needs a flat input, but gets " + shapeText(in) + ": add `flatten` before it";
    if (std::string e = positive("out"); !e.empty()) return e;
    if (attr(op, "in") != in.back())
      return where + "expects " + std::to_string(attr(op, "in")) + " features, gets " +
             std::to_string(in.back());
    op.shape = in;
    op.shape.back() = attr(op, "out");
  } else if (op.kind == "embedding") {
    if (in.size() != 1)
      return where + "needs token ids [sequence length], but gets " + shapeText(in);
    for (const char* key : {"vocab", "dim"})
      if (std::string e = positive(key); !e.empty()) return e;
    if (attr(op, "positions") != in[0])
      return where + "has " + std::to_string(attr(op, "positions")) + " positions, gets " +
             std::to_string(in[0]) + " tokens";
    op.shape = {in[0], attr(op, "dim")};
  } else if (op.kind == "layernorm" || op.kind == "causal_attention") {
    if (in.size() != 2)
      return where + "needs a sequence of features [T, d], but gets " + shapeText(in);
    const char* key = op.kind == "layernorm" ? "features" : "dim";
    if (attr(op, key) != in[1])
      return where + "expects " + std::to_string(attr(op, key)) + " features, gets " +
             std::to_string(in[1]);
    if (op.kind == "causal_attention") {
      if (std::string e = positive("heads"); !e.empty()) return e;
      if (in[1] % attr(op, "heads") != 0)
        return where + "splits " + std::to_string(in[1]) + " features into " +
               std::to_string(attr(op, "heads")) + " heads: the width must be a multiple";
    }
    op.shape = in;
  } else if (op.kind == "add") {
    if (inputs.size() != 2) return where + "needs two inputs";
    if (inputs[0] != inputs[1])
      return "the residual branch gives " + shapeText(inputs[0]) + " but the shortcut gives " +
             shapeText(inputs[1]) + ": add a `shortcut { ... }` that matches";
    op.shape = in;
  } else if (op.kind == "blur") {
    // A 3x3 binomial low-pass, padded by 1, then subsampled by its stride.
    if (std::string e = needImage(); !e.empty()) return e;
    if (std::string e = positive("stride"); !e.empty()) return e;
    if (attr(op, "channels") != in[0])
      return where + "filters " + std::to_string(attr(op, "channels")) + " channels, gets " +
             std::to_string(in[0]);
    const int64_t s = attr(op, "stride");
    op.shape = {in[0], (in[1] - 1) / s + 1, (in[2] - 1) / s + 1};
  } else if (op.kind == "squeeze_excite") {
    if (std::string e = needImage(); !e.empty()) return e;
    if (std::string e = positive("hidden"); !e.empty()) return e;
    if (attr(op, "channels") != in[0])
      return where + "gates " + std::to_string(attr(op, "channels")) + " channels, gets " +
             std::to_string(in[0]);
    op.shape = in;
  } else if (isElementwise(op.kind)) {
    op.shape = in;
  } else {
    return "unknown op kind '" + op.kind + "'";
  }
  return {};
}

bool isElementwise(const std::string& kind) {
  return kind == "relu" || kind == "gelu" || kind == "silu" || kind == "dropout" || kind == "fused";
}

std::optional<TrainingGraph> buildGraph(const CheckedRecipe& recipe, DiagnosticEngine& diags) {
  TrainingGraph g;
  g.recipe = recipe;
  Builder builder(g, diags);
  const std::vector<int64_t>& shape = recipe.task.inputShape;
  const bool positive = std::all_of(shape.begin(), shape.end(), [](int64_t d) { return d > 0; });
  if ((shape.size() != 3 && shape.size() != 1) || !positive) {
    diags.report(DiagId::ShapeError, recipe.task.where,
                 "task '" + recipe.task.name +
                     "' must give a positive CxHxW input shape, or a sequence length, not " +
                     shapeText(shape));
    return std::nullopt;
  }
  // Token ids mean nothing to any layer but an embedding.
  if (shape.size() == 1 &&
      (recipe.model.layers.empty() || recipe.model.layers.front().kind != "embedding")) {
    diags.report(DiagId::ShapeError, recipe.model.where,
                 "task '" + recipe.task.name + "' gives token sequences: model '" +
                     recipe.model.name + "' must start with `embedding(dim: ...)`");
    return std::nullopt;
  }
  OpId input = builder.input(shape, recipe.model.where);
  if (!builder.sequence(recipe.model.layers, input)) return std::nullopt;
  if (!layOutTimeline(g, diags)) return std::nullopt;
  return g;
}

} // namespace fiver::ir
