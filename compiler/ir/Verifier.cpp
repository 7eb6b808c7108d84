#include "compiler/ir/Verifier.h"

#include "compiler/ir/GraphBuilder.h"
#include "compiler/plan/OpKinds.h"

#include <algorithm>
#include <optional>
#include <set>

namespace fiver::ir {

namespace {

// The highest %k a fused expression reads; -1 when it reads no input.
int highestInput(const std::string& expr) {
  int highest = -1;
  for (size_t i = 0; i < expr.size(); ++i) {
    if (expr[i] != '%') continue;
    int k = 0;
    size_t j = i + 1;
    for (; j < expr.size() && expr[j] >= '0' && expr[j] <= '9'; ++j)
      k = k * 10 + (expr[j] - '0');
    if (j > i + 1) highest = std::max(highest, k);
  }
  return highest;
}

// Unknown kinds are held to one input, and shape inference reports them.
bool hasArity(std::optional<plan::OpKind> kind, size_t inputs) {
  const int lo = kind ? plan::info(*kind).minInputs : 1;
  const int hi = kind ? plan::info(*kind).maxInputs : 1;
  const int n = static_cast<int>(inputs);
  return n >= lo && (hi == plan::kUnboundedInputs || n <= hi);
}

std::string arityText(std::optional<plan::OpKind> kind) {
  const int lo = kind ? plan::info(*kind).minInputs : 1;
  if (kind && plan::info(*kind).maxInputs == plan::kUnboundedInputs)
    return "at least " + std::to_string(lo);
  return std::to_string(lo);
}

void verifyOps(const TrainingGraph& g, std::vector<std::string>& problems) {
  std::set<std::string> names;
  for (OpId v : g.opsInOrder()) {
    const OpNode& op = g.model[v];
    const std::string who = op.name.empty() ? "op %" + std::to_string(v) : op.name;
    if (!names.insert(op.name).second) problems.push_back("duplicate op name " + op.name);
    const std::optional<plan::OpKind> kind = plan::opKindFromName(op.kind);
    const bool isInput = kind == plan::OpKind::Input, isFused = kind == plan::OpKind::Fused;
    if ((v == 0) != isInput) problems.push_back(who + ": op 0, and only op 0, is the input");

    std::vector<OpId> ins = g.inputsOf(v);
    const bool arityOk = hasArity(kind, ins.size());
    if (!arityOk)
      problems.push_back(who + " has " + std::to_string(ins.size()) + " inputs, expected " +
                         arityText(kind));
    // Vertices are numbered in topological order; an edge backwards would
    // be a cycle or an op the lowering cannot place.
    bool ordered = true;
    for (OpId i : ins)
      if (i >= v) ordered = false;
    if (!ordered) problems.push_back(who + " reads an op that is not before it");

    if (kind)
      for (const std::string& key : plan::info(*kind).requiredAttrs())
        if (!op.attrs.count(key)) problems.push_back(who + " lacks the attribute " + key);

    if (op.memoryFormat != "contiguous" && op.memoryFormat != "channels_last")
      problems.push_back(who + " has an unknown memory format " + op.memoryFormat);
    if (op.memoryFormat == "channels_last" && op.shape.size() != 3)
      problems.push_back(who + " is channels_last but not a CxHxW tensor");
    if (op.freezeStep < -1 || op.freezeStep > g.timeline.totalSteps)
      problems.push_back(who + " freezes at step " + std::to_string(op.freezeStep) +
                         ", outside the budget");
    if (op.freezeStep >= 0 && !plan::hasParameters(op.kind))
      problems.push_back(who + " has no parameters to freeze");

    if (op.dtype != "fp32" && op.dtype != "bf16" && op.dtype != "fp16")
      problems.push_back(who + " has an unknown dtype " + op.dtype);
    if (isFused) {
      if (op.expr.empty()) problems.push_back(who + " has no expression");
      if (highestInput(op.expr) >= static_cast<int>(ins.size()))
        problems.push_back(who + " reads %" + std::to_string(highestInput(op.expr)) + " but has " +
                           std::to_string(ins.size()) + " inputs");
      for (OpId i : ins)
        if (g.model[i].memoryFormat != op.memoryFormat)
          problems.push_back(who + " reads an input in another memory format");
    }
    if (isInput || isFused || !arityOk || !ordered) continue;
    std::vector<std::vector<int64_t>> shapes;
    for (OpId i : ins)
      shapes.push_back(g.model[i].shape);
    OpNode copy = op;
    if (std::string e = inferShape(copy, shapes); !e.empty())
      problems.push_back(who + ": " + e);
    else if (copy.shape != op.shape)
      problems.push_back(who + " has a shape inconsistent with its inputs");
  }
}

void verifyTimeline(const TrainingGraph& g, std::vector<std::string>& problems) {
  const Timeline& t = g.timeline;
  if (t.totalSteps <= 0 || t.stepsPerEpoch <= 0) problems.push_back("the timeline has no steps");
  for (size_t i = 0; i < t.events.size(); ++i) {
    if (t.events[i].step < 0 || t.events[i].step > t.totalSteps)
      problems.push_back("event '" + t.events[i].what + "' lies outside the budget");
    if (i && t.events[i].step < t.events[i - 1].step)
      problems.push_back("timeline events are not sorted by step");
  }
  const std::vector<int64_t>& input = g.recipe.task.inputShape;
  for (size_t i = 0; i < g.resolution.size(); ++i) {
    const plan::ResolutionStage& s = g.resolution[i];
    if (i == 0 ? s.startStep != 0 : s.startStep <= g.resolution[i - 1].startStep)
      problems.push_back("resolution stages must start at step 0 and strictly increase");
    if (s.height <= 0 || s.width <= 0 ||
        (input.size() == 3 && (s.height > input[1] || s.width > input[2])))
      problems.push_back("resolution stage at step " + std::to_string(s.startStep) +
                         " is not within the input size");
  }
}

} // namespace

std::vector<std::string> verifyGraph(const TrainingGraph& g) {
  std::vector<std::string> problems;
  if (boost::num_vertices(g.model) == 0) problems.push_back("the model has no ops");
  verifyOps(g, problems);
  verifyTimeline(g, problems);
  return problems;
}

} // namespace fiver::ir
