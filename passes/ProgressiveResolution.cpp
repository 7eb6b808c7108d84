#include "passes/ProgressiveResolution.h"

#include <algorithm>
#include <cmath>

namespace fiver::passes {

namespace {

double param(const MethodUse& m, const char* key, double fallback) {
  auto it = m.params.find(key);
  return it == m.params.end() ? fallback : it->second.asFraction();
}

// A flatten that sees more than 1x1 pixels bakes the input size into the
// classifier, so the model cannot take smaller images.
const ir::OpNode* sizeDependentOp(const ir::TrainingGraph& g) {
  for (ir::OpId v : g.opsInOrder()) {
    const ir::OpNode& op = g.model[v];
    if (op.kind != "flatten") continue;
    for (ir::OpId in : g.inputsOf(v)) {
      const std::vector<int64_t>& s = g.model[in].shape;
      if (s.size() == 3 && (s[1] != 1 || s[2] != 1)) return &op;
    }
  }
  return nullptr;
}

int64_t scaledSize(int64_t full, double scale, int64_t multiple) {
  double raw = scale * static_cast<double>(full) / static_cast<double>(multiple);
  int64_t size = static_cast<int64_t>(std::llround(raw)) * multiple;
  return std::clamp<int64_t>(size, std::min(multiple, full), full);
}

} // namespace

bool ProgressiveResolutionPass::run(ir::TrainingGraph& g, DiagnosticEngine& diags) {
  const MethodUse* m = g.findMethod("progressive_resize");
  if (!m) return false;
  if (const ir::OpNode* op = sizeDependentOp(g)) {
    Diagnostic& d = diags.report(DiagId::ModelNeedsFixedSize, m->where,
                                 "progressive_resize feeds smaller images, but model '" +
                                     g.recipe.model.name + "' needs a fixed input size");
    d.notes.push_back({op->where, "this flatten sees more than one pixel per channel; put "
                                  "global_avgpool before it"});
    return false;
  }
  const std::vector<int64_t>& input = g.recipe.task.inputShape;
  const double from = param(*m, "from", 0.5), until = param(*m, "until", 0.75);
  const int64_t multiple = std::max<int64_t>(1, static_cast<int64_t>(param(*m, "multiple", 4)));
  const int64_t total = g.timeline.totalSteps;
  const double rampSteps = until * static_cast<double>(total);

  g.resolution.clear();
  for (int64_t step = 0; step < total; ++step) {
    double scale = rampSteps <= 0 ? 1.0
                                  : std::min(1.0, from + (1.0 - from) * static_cast<double>(step) / rampSteps);
    int64_t h = scaledSize(input[1], scale, multiple), w = scaledSize(input[2], scale, multiple);
    if (!g.resolution.empty() && g.resolution.back().height == h && g.resolution.back().width == w)
      continue;
    g.resolution.push_back({step, h, w});
    g.timeline.events.push_back(
        {step, "progressive_resize", "input " + std::to_string(h) + "x" + std::to_string(w)});
  }
  std::stable_sort(g.timeline.events.begin(), g.timeline.events.end(),
                   [](const ir::TimelineEvent& a, const ir::TimelineEvent& b) { return a.step < b.step; });
  g.notes.push_back("progressive_resolution: " + std::to_string(g.resolution.size()) + " stages");
  return true;
}

} // namespace fiver::passes
