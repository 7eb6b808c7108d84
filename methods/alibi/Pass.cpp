#include "methods/alibi/Pass.h"
#include "compiler/plan/OpKinds.h"
#include "passes/OpAttrs.h"
#include "passes/PassRegistry.h"

namespace fiver::passes {

namespace {

std::vector<ir::OpNode*> opsOfKind(ir::TrainingGraph& g, plan::OpKind kind) {
  std::vector<ir::OpNode*> ops;
  for (ir::OpId v : g.opsInOrder())
    if (plan::isKind(g.model[v].kind, kind)) ops.push_back(&g.model[v]);
  return ops;
}

} // namespace

bool AlibiPass::run(ir::TrainingGraph& g, DiagnosticEngine&) {
  if (!g.findMethod(std::string(enabledBy()))) return false;
  const std::vector<ir::OpNode*> attentions = opsOfKind(g, plan::OpKind::CausalAttention);
  if (attentions.empty()) {
    g.notes.push_back("alibi: no causal attention to bias; the position table stays");
    return false;
  }
  int64_t removed = 0;
  for (ir::OpNode* embedding : opsOfKind(g, plan::OpKind::Embedding)) {
    removed += intAttr(*embedding, "positions") * intAttr(*embedding, "dim");
    embedding->attrs["positions"] = plan::Scalar::num(0);
  }
  for (ir::OpNode* attention : attentions)
    attention->attrs["alibi"] = plan::Scalar::num(1);
  g.notes.push_back("alibi: " + std::to_string(attentions.size()) +
                    " causal attention ops biased by distance; position table removed (" +
                    std::to_string(removed) + " parameters fewer)");
  return true;
}

namespace {
const PassRegistrar kPass([] { return std::make_unique<AlibiPass>(); });
} // namespace

} // namespace fiver::passes
