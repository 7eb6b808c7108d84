#include "methods/progressive_resize/Pass.h"
#include "passes/PassRegistry.h"

#include "compiler/ir/GraphBuilder.h"
#include "compiler/plan/OpKinds.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace fiver::passes {

namespace {

double param(const MethodUse& m, const char* key, double fallback) {
  auto it = m.params.find(key);
  return it == m.params.end() ? fallback : it->second.asFraction();
}

// A flatten that sees more than 1x1 pixels bakes the input size into the
// classifier, so the model cannot take smaller images. Global pooling (mean
// or max) reduces any HxW to 1x1, so a model with it before flatten can.
const ir::OpNode* sizeDependentOp(const ir::TrainingGraph& g) {
  for (ir::OpId v : g.opsInOrder()) {
    const ir::OpNode& op = g.model[v];
    if (!plan::isKind(op.kind, plan::OpKind::Flatten)) continue;
    for (ir::OpId in : g.inputsOf(v)) {
      const std::vector<int64_t>& s = g.model[in].shape;
      if (s.size() == 3 && (s[1] != 1 || s[2] != 1)) return &op;
    }
  }
  return nullptr;
}

struct ShapeFailure {
  const ir::OpNode* op = nullptr;
  std::string message;
};

// Infers every op's shape again for an HxW input; the first op that does not
// fit (a kernel larger than its shrunken input, a residual whose branches
// round differently) is why that size cannot be used.
ShapeFailure checkAtSize(const ir::TrainingGraph& g, int64_t height, int64_t width) {
  std::map<ir::OpId, std::vector<int64_t>> shapes;
  for (ir::OpId v : g.opsInOrder()) {
    ir::OpNode op = g.model[v];
    if (plan::isKind(op.kind, plan::OpKind::Input)) {
      shapes[v] = {op.shape[0], height, width};
      continue;
    }
    std::vector<std::vector<int64_t>> inputs;
    for (ir::OpId in : g.inputsOf(v))
      inputs.push_back(shapes.at(in));
    if (plan::isKind(op.kind, plan::OpKind::Fused)) {
      op.shape = inputs.at(0);
    } else if (std::string e = ir::inferShape(op, inputs); !e.empty()) {
      return {&g.model[v], e};
    }
    shapes[v] = op.shape;
  }
  return {};
}

int64_t scaledSize(int64_t full, double scale, int64_t multiple) {
  double raw = scale * static_cast<double>(full) / static_cast<double>(multiple);
  int64_t size = static_cast<int64_t>(std::llround(raw)) * multiple;
  return std::clamp<int64_t>(size, std::min(multiple, full), full);
}

} // namespace

bool ProgressiveResolutionPass::run(ir::TrainingGraph& g, DiagnosticEngine& diags) {
  const MethodUse* m = g.findMethod(std::string(enabledBy()));
  if (!m) return false;
  if (const ir::OpNode* op = sizeDependentOp(g)) {
    Diagnostic& d = diags.report(DiagId::ModelNeedsFixedSize, m->where,
                                 "progressive_resize feeds smaller images, but model '" +
                                     g.recipe.model.name + "' needs a fixed input size");
    d.notes.push_back({op->where, "this flatten sees more than one pixel per channel; put "
                                  "global_avgpool or global_maxpool before it"});
    return false;
  }
  const std::vector<int64_t>& input = g.recipe.task.inputShape;
  if (input.size() != 3) {
    diags.report(DiagId::ShapeError, m->where,
                 "progressive_resize scales images; task '" + g.recipe.task.name +
                     "' has no height and width");
    return false;
  }
  const double from = param(*m, "from", 0.5), until = param(*m, "until", 0.75);
  const int64_t multiple = std::max<int64_t>(1, static_cast<int64_t>(param(*m, "multiple", 4)));
  const int64_t total = g.timeline.totalSteps;
  // Full size by until x total, and at the latest on the last step: the run
  // always ends at the resolution it is evaluated at.
  const double rampSteps =
      std::min(until * static_cast<double>(total), static_cast<double>(total - 1));

  // Scale grows linearly from `from` at step 0 to 1 at until x total; a
  // stage starts wherever the rounded size changes.
  std::vector<plan::ResolutionStage> stages;
  for (int64_t step = 0; step < total; ++step) {
    double scale = rampSteps <= 0
                       ? 1.0
                       : std::min(1.0, from + (1.0 - from) * static_cast<double>(step) / rampSteps);
    int64_t h = scaledSize(input[1], scale, multiple), w = scaledSize(input[2], scale, multiple);
    if (!stages.empty() && stages.back().height == h && stages.back().width == w) continue;
    stages.push_back({step, h, w});
    if (h == input[1] && w == input[2]) break; // full size from here on
  }

  // Sizes only grow, so the first stage is the one most likely not to fit.
  const plan::ResolutionStage& smallest = stages.front();
  if (ShapeFailure f = checkAtSize(g, smallest.height, smallest.width); f.op) {
    Diagnostic& d =
        diags.report(DiagId::ModelNeedsFixedSize, m->where,
                     "progressive_resize starts at " + std::to_string(smallest.height) + "x" +
                         std::to_string(smallest.width) + " images, which model '" +
                         g.recipe.model.name + "' cannot take");
    d.notes.push_back({f.op->where, f.message + " at that size; raise `from`"});
    return false;
  }

  g.resolution = stages;
  for (const plan::ResolutionStage& s : stages)
    g.timeline.addEvent({s.startStep, std::string(enabledBy()),
                         "input " + std::to_string(s.height) + "x" + std::to_string(s.width)});
  g.notes.push_back("progressive_resolution: " + std::to_string(stages.size()) + " stages");
  return true;
}

namespace {
const PassRegistrar kPass([] { return std::make_unique<ProgressiveResolutionPass>(); });
} // namespace

} // namespace fiver::passes
