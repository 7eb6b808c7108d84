#include "passes/LayerFreezing.h"

#include <algorithm>
#include <cmath>

namespace fiver::passes {

bool LayerFreezingPass::run(ir::TrainingGraph& g, DiagnosticEngine& diags) {
  const MethodUse* m = g.findMethod(std::string(enabledBy()));
  if (!m) return false;
  auto fraction = [&](const char* key, double fallback) {
    auto it = m->params.find(key);
    return it == m->params.end() ? fallback : it->second.asFraction();
  };
  const double start = fraction("start", 0.6);
  const double end = fraction("end", 0.9);
  if (end < start) {
    diags.report(DiagId::ParameterRange, m->where,
                 "layer_freezing ends (" + std::to_string(std::lround(end * 100)) +
                     "%) before it starts (" + std::to_string(std::lround(start * 100)) +
                     "%): layers would freeze back to front");
    return false;
  }

  std::vector<ir::OpId> layers;
  for (ir::OpId v : g.opsInOrder()) {
    const std::string& kind = g.model[v].kind;
    if (kind == "conv" || kind == "linear") layers.push_back(v);
  }
  // The last layer with weights is the classifier: it always trains.
  if (!layers.empty()) layers.pop_back();
  if (layers.empty()) {
    g.notes.push_back("layer_freezing: no layer before the classifier to freeze");
    return false;
  }

  const double total = static_cast<double>(g.timeline.totalSteps);
  const size_t n = layers.size();
  for (size_t i = 0; i < n; ++i) {
    double at =
        start + (n > 1 ? (end - start) * static_cast<double>(i) / static_cast<double>(n - 1) : 0);
    int64_t step = static_cast<int64_t>(std::llround(at * total));
    ir::OpNode& layer = g.model[layers[i]];
    layer.freezeStep = step;
    g.timeline.addEvent({step, std::string(enabledBy()), "freeze " + layer.name});
    // The batch norm right after a conv belongs to it: they freeze together.
    for (auto [it, e] = boost::out_edges(layers[i], g.model); it != e; ++it) {
      ir::OpNode& next = g.model[boost::target(*it, g.model)];
      if (next.kind == "bn") next.freezeStep = step;
    }
  }
  g.notes.push_back("layer_freezing: " + std::to_string(n) + " layers freeze between steps " +
                    std::to_string(g.model[layers.front()].freezeStep) + " and " +
                    std::to_string(g.model[layers.back()].freezeStep));
  return true;
}

} // namespace fiver::passes
