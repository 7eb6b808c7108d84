#include "compiler/ir/GraphBuilder.h"

#include "compiler/ir/LayerAttrs.h"
#include "compiler/plan/OpKinds.h"
#include "compiler/plan/OpRules.h"

#include <algorithm>
#include <map>

namespace fiver::ir {

namespace {

std::string shapeText(const std::vector<int64_t>& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i)
    out += (i ? "x" : "") + std::to_string(s[i]);
  return out.empty() ? "scalar" : out;
}

class Builder {
public:
  Builder(TrainingGraph& g, DiagnosticEngine& diags) : g_(g), diags_(diags) {}

  OpId input(const std::vector<int64_t>& shape, SourceRange where) {
    OpNode op;
    op.kind = plan::nameOf(plan::OpKind::Input);
    op.name = op.kind;
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

  // The ops of a model imported from ONNX, after `input`; shapes are
  // inferred from the task's input as for declared models.
  bool imported(const onnx_import::ImportedModel& m, OpId input, SourceRange where) {
    std::vector<OpId> ids{input};
    std::map<std::string, OpId> tables; // token tables by initializer
    for (size_t i = 1; i < m.ops.size(); ++i) {
      const onnx_import::ImportedOp& from = m.ops[i];
      OpNode op;
      op.kind = from.kind;
      op.attrs = from.attrs;
      op.where = where;
      std::vector<OpId> inputs;
      for (int k : from.inputs)
        inputs.push_back(ids[static_cast<size_t>(k)]);
      tieToTable(op, tables);
      std::optional<OpId> id = addOp(std::move(op), inputs, "ONNX node '" + from.node + "': ");
      if (!id) return false;
      ids.push_back(*id);
      const OpNode& added = g_.model[*id];
      if (plan::isKind(added.kind, plan::OpKind::Embedding))
        tables.emplace(plan::getString(added.attrs, "init_weight", ""), *id);
    }
    // The loss reads one score per class (for each position of a sequence).
    const std::vector<int64_t>& out = g_.model[ids.back()].shape;
    const std::vector<int64_t>& task = g_.recipe.task.inputShape;
    const int64_t classes = g_.recipe.task.classes;
    const bool scores =
        out == std::vector<int64_t>{classes} ||
        (m.tokens && task.size() == 1 && out == std::vector<int64_t>{task[0], classes});
    if (!scores) {
      diags_.report(DiagId::OnnxHeadMismatch, where,
                    "the imported model outputs " + shapeText(out) + " per example, but task '" +
                        g_.recipe.task.name + "' needs " + std::to_string(g_.recipe.task.classes) +
                        " class scores");
      return false;
    }
    return true;
  }

private:
  // A linear layer whose weight is an embedding's token table (a model
  // exported with weight tying reads one initializer twice) keeps reading
  // the table (`tied_to`), so that training keeps the two uses one
  // parameter, as the exporting model did.
  void tieToTable(OpNode& op, const std::map<std::string, OpId>& tables) const {
    if (!plan::isKind(op.kind, plan::OpKind::Linear) || op.attrs.count("init_bias")) return;
    auto table = tables.find(plan::getString(op.attrs, "init_weight", ""));
    if (table == tables.end()) return;
    const OpNode& embedding = g_.model[table->second];
    if (plan::getNumber(op.attrs, "in", 0) != plan::getNumber(embedding.attrs, "dim", -1) ||
        plan::getNumber(op.attrs, "out", 0) != plan::getNumber(embedding.attrs, "vocab", -1))
      return;
    op.attrs.erase("init_weight");
    op.attrs["tied_to"] = plan::Scalar::str(embedding.name);
  }

  std::optional<OpId> layer(const LayerSpec& l, OpId from) {
    if (l.kind == "sequence") return sequence(l.body, from);
    if (l.kind == "residual") {
      std::optional<OpId> branch = sequence(l.body, from);
      if (!branch) return std::nullopt;
      std::optional<OpId> shortcut = sequence(l.shortcut, from);
      if (!shortcut) return std::nullopt;
      OpNode add;
      add.kind = plan::nameOf(plan::OpKind::Add);
      add.where = l.where;
      return addOp(std::move(add), {*branch, *shortcut});
    }
    OpNode op;
    op.kind = l.kind;
    op.where = l.where;
    // Unknown kinds take no attributes: shape inference reports them.
    if (std::optional<plan::OpKind> kind = plan::opKindFromName(l.kind)) {
      const OpNode& input = g_.model[from];
      LayerSite site{l, input.kind, input.shape, g_.recipe.task};
      if (std::string error = layerAttrs(*kind, site, op.attrs); !error.empty()) {
        diags_.report(DiagId::ShapeError, l.where, error);
        return std::nullopt;
      }
    }
    return addOp(std::move(op), {from});
  }

  std::optional<OpId> addOp(OpNode op, const std::vector<OpId>& inputs,
                            const std::string& context = "") {
    op.name = op.kind + std::to_string(++ordinals_[op.kind]);
    std::vector<std::vector<int64_t>> shapes;
    for (OpId i : inputs)
      shapes.push_back(g_.model[i].shape);
    if (std::string error = inferShape(op, shapes); !error.empty()) {
      diags_.report(DiagId::ShapeError, op.where, context + error);
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
  std::optional<plan::OpKind> kind = plan::opKindFromName(op.kind);
  if (kind == plan::OpKind::Input) return {};
  if (inputs.empty()) return "'" + op.kind + "' has no input";
  if (!kind) return "unknown op kind '" + op.kind + "'";
  return plan::info(*kind).shape(plan::ShapeQuery{op.kind, op.attrs, inputs}, op.shape);
}

bool isElementwise(const std::string& kind) {
  return plan::hasFlag(kind, plan::kElementwise);
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
  if (recipe.model.imported) {
    OpId input = builder.input(shape, recipe.model.where);
    if (!builder.imported(*recipe.model.imported, input, recipe.model.where)) return std::nullopt;
    if (!layOutTimeline(g, diags)) return std::nullopt;
    return g;
  }
  // Token ids mean nothing to any layer but an embedding.
  if (shape.size() == 1 &&
      (recipe.model.layers.empty() ||
       !plan::isKind(recipe.model.layers.front().kind, plan::OpKind::Embedding))) {
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
