#include "compiler/sema/ModelRequirements.h"

#include "compiler/plan/OpKinds.h"

#include <algorithm>

namespace fiver {

namespace {

bool hasLayer(const std::vector<LayerSpec>& layers, const std::string& kind) {
  return std::any_of(layers.begin(), layers.end(), [&](const LayerSpec& l) {
    return l.kind == kind || hasLayer(l.body, kind) || hasLayer(l.shortcut, kind);
  });
}

// `requires embedding`: sharing one matrix between an input embedding and the
// output classifier of the same width needs the embedding; the classifier's
// shape is checked by the method's pass.
void checkEmbedding(const MethodUse& use, const ModelSpec& model, DiagnosticEngine& diags) {
  if (model.imported) {
    Diagnostic& d = diags.report(DiagId::OnnxStructureMissing, use.where,
                                 use.name + " ties the classifier to an input embedding, which a "
                                            "model imported from ONNX does not have");
    d.notes.push_back({model.where, "the model is imported here; the importer maps image models "
                                    "(convolutions, norms, pooling, linear layers)"});
    return;
  }
  if (hasLayer(model.layers, std::string(plan::nameOf(plan::OpKind::Embedding)))) return;
  Diagnostic& d = diags.report(DiagId::NothingToTie, use.where,
                               "model '" + model.name + "' has no pair of layers that " + use.name +
                                   " could tie");
  d.notes.push_back({model.where, "the model is chosen here; it has no embedding layer "
                                  "whose matrix the output classifier could share"});
  d.notes.push_back({{},
                     "remove the " + use.name +
                         " line, or use a model that starts with an embedding of the "
                         "classifier's width"});
}

} // namespace

const std::vector<ModelRequirement>& modelRequirements() {
  static const std::vector<ModelRequirement> kRequirements = {
      {"embedding", "an embedding layer whose matrix the output classifier can share"},
  };
  return kRequirements;
}

bool isModelRequirement(const std::string& word) {
  const auto& all = modelRequirements();
  return std::any_of(all.begin(), all.end(),
                     [&](const ModelRequirement& r) { return word == r.word; });
}

void checkModelRequirements(const MethodUse& use, const std::vector<std::string>& requirements,
                            const ModelSpec& model, DiagnosticEngine& diags) {
  for (const std::string& r : requirements)
    if (r == "embedding") checkEmbedding(use, model, diags);
}

} // namespace fiver
