#include "methods/weight_tying/Pass.h"
#include "compiler/plan/OpKinds.h"
#include "passes/OpAttrs.h"
#include "passes/PassRegistry.h"

namespace fiver::passes {

std::string tiedEmbedding(const ir::OpNode& op) {
  return plan::isKind(op.kind, plan::OpKind::Linear) ? plan::getString(op.attrs, "tied_to", "")
                                                     : "";
}

bool WeightTyingPass::run(ir::TrainingGraph& g, DiagnosticEngine& diags) {
  const MethodUse* m = g.findMethod(std::string(enabledBy()));
  if (!m) return false;
  ir::OpNode* embedding = nullptr;
  ir::OpNode* classifier = nullptr;
  for (ir::OpId v : g.opsInOrder()) {
    ir::OpNode& op = g.model[v];
    if (plan::isKind(op.kind, plan::OpKind::Embedding) && !embedding) embedding = &op;
    if (plan::isKind(op.kind, plan::OpKind::Linear)) classifier = &op;
  }
  if (!embedding || !classifier) {
    diags.report(DiagId::NothingToTie, m->where,
                 "model '" + g.recipe.model.name + "' has no " +
                     (embedding ? "output linear layer" : "embedding") + " for weight_tying");
    return false;
  }
  const int64_t vocab = intAttr(*embedding, "vocab"), dim = intAttr(*embedding, "dim");
  if (intAttr(*classifier, "in") != dim || intAttr(*classifier, "out") != vocab) {
    Diagnostic& d = diags.report(
        DiagId::NothingToTie, m->where,
        "weight_tying needs '" + classifier->name + "' to map " + std::to_string(dim) +
            " features to " + std::to_string(vocab) + " logits (the shape of '" + embedding->name +
            "'), but it maps " + std::to_string(intAttr(*classifier, "in")) + " to " +
            std::to_string(intAttr(*classifier, "out")));
    d.notes.push_back({classifier->where, "the output layer is declared here"});
    return false;
  }
  classifier->attrs["tied_to"] = plan::Scalar::str(embedding->name);
  g.notes.push_back("weight_tying: " + classifier->name + " reads the token table of " +
                    embedding->name + " (" + std::to_string(vocab * dim) + " parameters fewer)");
  return true;
}

namespace {
const PassRegistrar kPass([] { return std::make_unique<WeightTyingPass>(); });
} // namespace

} // namespace fiver::passes
