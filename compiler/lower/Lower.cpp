#include "compiler/lower/Lower.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace fiver {

namespace {

plan::ScalarMap lowerParams(const ParamMap& params, const ir::Timeline& t) {
  plan::ScalarMap out;
  for (const auto& [k, v] : params)
    out[k] = lowerValue(v, t);
  return out;
}

plan::Call lowerCall(const CallSpec& c, const ir::Timeline& t) {
  return plan::Call{c.kind, lowerParams(c.params, t)};
}

} // namespace

plan::Scalar lowerValue(const Value& v, const ir::Timeline& t) {
  switch (v.kind) {
  case Value::Kind::Bool:
    return plan::Scalar::num(v.boolean ? 1 : 0);
  case Value::Kind::String:
  case Value::Kind::Ident:
    return plan::Scalar::str(v.text);
  case Value::Kind::List:
    return plan::Scalar::str(toString(v));
  case Value::Kind::Number:
    break;
  }
  double steps = static_cast<double>(t.totalSteps);
  switch (v.unit) {
  case Unit::None:
    return plan::Scalar::num(v.number);
  case Unit::Percent:
    if (v.isDuration) return plan::Scalar::num(std::round(v.number / 100.0 * steps));
    return plan::Scalar::num(v.number / 100.0);
  case Unit::Steps:
    return plan::Scalar::num(v.number);
  case Unit::Epochs:
    return plan::Scalar::num(std::round(v.number * static_cast<double>(t.stepsPerEpoch)));
  case Unit::Samples:
    return plan::Scalar::num(
        std::ceil(v.number / static_cast<double>(std::max<int64_t>(1, t.batchSize))));
  case Unit::Seconds:
    return plan::Scalar::num(v.number);
  }
  return plan::Scalar::num(v.number);
}

plan::Plan lower(const ir::TrainingGraph& g) {
  const CheckedRecipe& r = g.recipe;
  const ir::Timeline& t = g.timeline;
  plan::Plan p;
  p.recipe = r.name;
  p.sourceHash = r.sourceHash;
  p.provenance = r.provenance;
  p.passes = g.passesRun;

  p.task.dataset = r.task.dataset;
  p.task.path = r.task.path;
  p.task.inputShape = r.task.inputShape;
  p.task.classes = r.task.classes;
  p.task.trainSize = t.trainSize;
  p.task.holdout = t.holdout;
  p.task.testSize = r.task.testSize;
  p.task.metric = r.task.metric;

  p.training.epochs = t.epochs;
  p.training.stepsPerEpoch = t.stepsPerEpoch;
  p.training.totalSteps = t.totalSteps;
  p.training.batchSize = r.batchSize;
  // Sequences evaluate 2^17 tokens a batch at most: attention's scores grow
  // with the square of the length, and 1024 sequences of 512 tokens would
  // ask for tens of gigabytes.
  if (r.task.inputShape.size() == 1 && r.task.inputShape[0] > 0)
    p.training.evalBatchSize =
        std::clamp<int64_t>((int64_t{1} << 17) / r.task.inputShape[0], 1, p.training.evalBatchSize);
  p.training.seed = r.seed;
  p.training.precision = r.precision;
  p.training.timeLimitSeconds = r.timeLimit ? r.timeLimit->amount : 0;

  p.optimizer = lowerCall(r.optimizer, t);
  p.schedule = lowerCall(r.schedule, t);
  for (const CallSpec& a : r.augment)
    p.augment.push_back(lowerCall(a, t));

  std::map<ir::OpId, int> ids;
  for (ir::OpId v : g.opsInOrder()) {
    const ir::OpNode& n = g.model[v];
    plan::Op op;
    op.id = static_cast<int>(ids.size());
    ids[v] = op.id;
    op.kind = n.kind;
    op.name = n.name;
    for (ir::OpId in : g.inputsOf(v))
      op.inputs.push_back(ids.at(in));
    op.attrs = n.attrs;
    op.shape = n.shape;
    op.memoryFormat = n.memoryFormat;
    op.freezeStep = n.freezeStep;
    op.expr = n.expr;
    op.dtype = n.dtype;
    p.ops.push_back(std::move(op));
  }
  p.resolution = g.resolution;
  if (const auto& imported = r.model.imported)
    p.modelSource = plan::ModelSource{"onnx", imported->path, imported->hash, imported->weights};
  for (const MethodUse& m : r.methods)
    p.methods.push_back(
        plan::Method{m.name, toString(m.triple), lowerParams(m.params, t), m.hooks});
  return p;
}

} // namespace fiver
