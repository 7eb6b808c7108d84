#include "methods/layer_freezing/Pass.h"
#include "passes/PassRegistry.h"

#include "compiler/ir/GraphRewrite.h"
#include "compiler/plan/OpKinds.h"
#include "methods/weight_tying/Pass.h"

#include <algorithm>
#include <cmath>
#include <set>

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
    // At the argument written last of the two, else at the method.
    SourceRange where = m->where;
    for (const char* key : {"start", "end"})
      if (auto at = m->argWhere.find(key); at != m->argWhere.end()) where = at->second;
    diags.report(DiagId::ParameterRange, where,
                 "layer_freezing ends (" + std::to_string(std::lround(end * 100)) +
                     "%) before it starts (" + std::to_string(std::lround(start * 100)) +
                     "%): layers would freeze back to front");
    return false;
  }

  // Layers with weights, in order; norms freeze with the layer they follow.
  // An embedding whose table the classifier shares (weight_tying) trains
  // as long as the classifier does, so it is not a layer to freeze.
  std::set<std::string> tied;
  for (ir::OpId v : g.opsInOrder())
    if (std::string e = tiedEmbedding(g.model[v]); !e.empty()) tied.insert(e);
  std::vector<ir::OpId> layers;
  for (ir::OpId v : g.opsInOrder()) {
    const ir::OpNode& op = g.model[v];
    if (plan::isKind(op.kind, plan::OpKind::Conv) || plan::isKind(op.kind, plan::OpKind::Linear) ||
        plan::isKind(op.kind, plan::OpKind::CausalAttention) ||
        (plan::isKind(op.kind, plan::OpKind::Embedding) && !tied.count(op.name)))
      layers.push_back(v);
  }
  // The last layer with weights is the classifier: it always trains.
  if (!layers.empty()) layers.pop_back();
  if (layers.empty()) {
    g.notes.push_back("layer_freezing: no layer before the classifier to freeze");
    return false;
  }

  const double total = static_cast<double>(g.timeline.totalSteps);
  const size_t n = layers.size();
  int folded = 0;
  for (size_t i = 0; i < n; ++i) {
    double at =
        start + (n > 1 ? (end - start) * static_cast<double>(i) / static_cast<double>(n - 1) : 0);
    int64_t step = static_cast<int64_t>(std::llround(at * total));
    ir::OpNode& layer = g.model[layers[i]];
    layer.freezeStep = step;
    g.timeline.addEvent({step, std::string(enabledBy()), "freeze " + layer.name});
    // The batch norm right after a conv belongs to it (through an
    // antialiasing blur, if any), and so does a squeeze-excite gate after
    // them: they freeze together.
    std::vector<ir::OpId> next = ir::consumersOf(g, layers[i]);
    bool throughBlur = false;
    if (next.size() == 1 && plan::isKind(g.model[next[0]].kind, plan::OpKind::Blur)) {
      next = ir::consumersOf(g, next[0]);
      throughBlur = true;
    }
    if (next.size() != 1) continue;
    ir::OpNode& bn = g.model[next[0]];
    if (plan::isKind(bn.kind, plan::OpKind::SqueezeExcite)) bn.freezeStep = step;
    if (!plan::isKind(bn.kind, plan::OpKind::BatchNorm)) continue;
    bn.freezeStep = step;
    std::vector<ir::OpId> afterBn = ir::consumersOf(g, next[0]);
    if (afterBn.size() == 1 && plan::isKind(g.model[afterBn[0]].kind, plan::OpKind::SqueezeExcite))
      g.model[afterBn[0]].freezeStep = step;
    // A frozen conv whose only reader is its batch norm folds the norm's
    // affine map (running statistics, weight, bias) into its own weights and
    // bias from the freeze step on; the runtime does it at that step.
    if (plan::isKind(layer.kind, plan::OpKind::Conv) && !throughBlur) {
      layer.attrs["fold_bn"] = plan::Scalar::str(bn.name);
      bn.attrs["folded_into"] = plan::Scalar::str(layer.name);
      ++folded;
    }
  }
  // A layernorm normalizes the input of the layer after it (pre-norm
  // transformers) and freezes with that layer, keeping the frozen ops a prefix.
  int64_t nextFreeze = -1;
  std::vector<ir::OpId> order = g.opsInOrder();
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    ir::OpNode& op = g.model[*it];
    if (plan::isKind(op.kind, plan::OpKind::LayerNorm)) op.freezeStep = nextFreeze;
    if (std::find(layers.begin(), layers.end(), *it) != layers.end() ||
        plan::isKind(op.kind, plan::OpKind::Linear))
      nextFreeze = op.freezeStep;
  }
  g.notes.push_back("layer_freezing: " + std::to_string(n) + " layers freeze between steps " +
                    std::to_string(g.model[layers.front()].freezeStep) + " and " +
                    std::to_string(g.model[layers.back()].freezeStep) + "; " +
                    std::to_string(folded) + " conv+bn pairs fold when frozen");
  return true;
}

namespace {
const PassRegistrar kPass([] { return std::make_unique<LayerFreezingPass>(); });
} // namespace

} // namespace fiver::passes
