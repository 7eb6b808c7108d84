#include "compiler/pipeline/ScheduleCost.h"

#include "compiler/ir/GraphBuilder.h"
#include "compiler/lower/Lower.h"
#include "compiler/plan/OpCost.h"
#include "compiler/plan/OpKinds.h"

#include <algorithm>
#include <cstdio>
#include <ostream>
#include <set>

namespace fiver {

namespace {

// The graph's shapes for an HxW input (progressive resolution's stages); a
// sequence model's input [T] takes the height as its length.
ir::TrainingGraph atSize(const ir::TrainingGraph& g, int64_t height, int64_t width) {
  ir::TrainingGraph copy = g;
  for (ir::OpId v : copy.opsInOrder()) {
    ir::OpNode& op = copy.model[v];
    if (plan::isKind(op.kind, plan::OpKind::Input)) {
      if (op.shape.size() == 1)
        op.shape = {height};
      else
        op.shape = {op.shape.at(0), height, width};
      continue;
    }
    std::vector<std::vector<int64_t>> inputs;
    for (ir::OpId in : copy.inputsOf(v))
      inputs.push_back(copy.model[in].shape);
    ir::inferShape(op, inputs); // the pipeline checked that every stage fits
  }
  return copy;
}

std::string human(double v, const char* unit) {
  static const char* prefixes[] = {"", "k", "M", "G", "T", "P"};
  int p = 0;
  while (v >= 1000 && p < 5) {
    v /= 1000;
    ++p;
  }
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.3g %s%s", v, prefixes[p], unit);
  return buf;
}

} // namespace

StepCost stepCost(const ir::TrainingGraph& graph, int64_t height, int64_t width, int64_t step) {
  const plan::Plan p = lower(atSize(graph, height, width));
  StepCost cost;
  // An op needs a backward pass when it, or an op before it, still trains.
  std::vector<bool> trains(p.ops.size(), false);
  for (const plan::Op& op : p.ops) {
    const bool frozen = op.freezeStep >= 0 && step >= op.freezeStep;
    const bool ownParameters = plan::hasParameters(op.kind) && !frozen;
    bool upstream = false;
    std::vector<std::vector<int64_t>> inputs;
    for (int in : op.inputs) {
      upstream |= trains[in];
      inputs.push_back(p.ops[in].shape);
    }
    trains[op.id] = ownParameters || upstream;
    if (plan::isKind(op.kind, plan::OpKind::Input)) continue;
    const plan::OpCost c = plan::opCost(op, inputs, p.training.batchSize);
    cost.forwardFlops += c.forwardFlops;
    if (trains[op.id]) cost.backwardFlops += c.backwardFlops;
    cost.parameters += static_cast<double>(c.parameters);
    if (ownParameters) cost.trainableParameters += static_cast<double>(c.parameters);
    cost.activationBytes += c.activationBytes;
  }
  return cost;
}

CostReport costReport(const ir::TrainingGraph& before, const ir::TrainingGraph& after) {
  CostReport r;
  const std::vector<int64_t>& input = after.recipe.task.inputShape;
  // Images are CxHxW; a sequence's length stands in for the height.
  const bool sequence = input.size() == 1;
  const int64_t fullHeight = sequence ? input[0] : input[1], fullWidth = sequence ? 1 : input[2];
  r.batchSize = after.timeline.batchSize;
  r.totalSteps = after.timeline.totalSteps;
  r.before = stepCost(before, fullHeight, fullWidth, 0);
  r.after = stepCost(after, fullHeight, fullWidth, 0);
  r.beforeFlops = r.before.flops() * static_cast<double>(r.totalSteps);

  // Segments start wherever the input size changes or an op freezes.
  std::set<int64_t> starts = {0};
  for (const plan::ResolutionStage& s : after.resolution)
    starts.insert(s.startStep);
  for (ir::OpId v : after.opsInOrder())
    if (after.model[v].freezeStep >= 0) starts.insert(after.model[v].freezeStep);
  std::vector<int64_t> bounds(starts.begin(), starts.end());
  bounds.erase(
      std::remove_if(bounds.begin(), bounds.end(), [&](int64_t s) { return s >= r.totalSteps; }),
      bounds.end());
  for (size_t i = 0; i < bounds.size(); ++i) {
    ScheduleSegment seg;
    seg.firstStep = bounds[i];
    seg.endStep = i + 1 < bounds.size() ? bounds[i + 1] : r.totalSteps;
    seg.height = fullHeight;
    seg.width = fullWidth;
    for (const plan::ResolutionStage& s : after.resolution)
      if (s.startStep <= seg.firstStep) {
        seg.height = s.height;
        seg.width = s.width;
      }
    for (ir::OpId v : after.opsInOrder()) {
      const int64_t f = after.model[v].freezeStep;
      seg.frozenOps += f >= 0 && seg.firstStep >= f;
    }
    seg.perStep = stepCost(after, seg.height, seg.width, seg.firstStep);
    r.scheduleFlops += seg.perStep.flops() * static_cast<double>(seg.endStep - seg.firstStep);
    r.schedule.push_back(seg);
  }
  return r;
}

void printCostReport(std::ostream& os, const CostReport& r) {
  auto row = [&](const char* what, double before, double after, const char* unit) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "  %-22s %14s %14s   x%.3f\n", what, human(before, unit).c_str(),
                  human(after, unit).c_str(), before > 0 ? after / before : 0.0);
    os << buf;
  };
  os << "cost per step (batch " << r.batchSize << ", full input size, nothing frozen)\n";
  char header[160];
  std::snprintf(header, sizeof header, "  %-22s %14s %14s   %s\n", "", "before passes",
                "after passes", "after/before");
  os << header;
  row("forward FLOPs", r.before.forwardFlops, r.after.forwardFlops, "FLOP");
  row("backward FLOPs", r.before.backwardFlops, r.after.backwardFlops, "FLOP");
  row("parameters", r.before.parameters, r.after.parameters, "");
  row("activation bytes", r.before.activationBytes, r.after.activationBytes, "B");
  os << "schedule (after passes): " << r.totalSteps << " steps\n";
  for (const ScheduleSegment& s : r.schedule) {
    char buf[200];
    std::snprintf(buf, sizeof buf,
                  "  steps %6lld-%-6lld %4lldx%-4lld %3d ops frozen  %14s/step  (fwd %s, bwd %s)\n",
                  static_cast<long long>(s.firstStep), static_cast<long long>(s.endStep - 1),
                  static_cast<long long>(s.height), static_cast<long long>(s.width), s.frozenOps,
                  human(s.perStep.flops(), "FLOP").c_str(),
                  human(s.perStep.forwardFlops, "FLOP").c_str(),
                  human(s.perStep.backwardFlops, "FLOP").c_str());
    os << buf;
  }
  char buf[200];
  std::snprintf(buf, sizeof buf,
                "total: %s over the schedule; %s for the model before the passes; ratio %.3f\n",
                human(r.scheduleFlops, "FLOP").c_str(), human(r.beforeFlops, "FLOP").c_str(),
                r.beforeFlops > 0 ? r.scheduleFlops / r.beforeFlops : 0.0);
  os << buf;
}

} // namespace fiver
