// weight_tying: the output classifier of a language model shares the input
// embedding's token matrix.
//
// Requires: a weight_tying method; a model whose first op is an `embedding`
// (V x d token table) and whose last linear layer maps d features to V logits.
// Changes: that linear gets `tied_to: <embedding>`; the runtime builds it
// without a weight of its own and multiplies by the embedding's table, so
// the model has V x d fewer parameters and the table is trained by both
// ends. Errors (E0402) when there is no such pair. Runs first: factorize must
// not split the tied layer, and layer_freezing must not freeze the table the
// classifier reads.
#pragma once

#include "passes/Pass.h"

namespace fiver::passes {

class WeightTyingPass : public Pass {
public:
  std::string_view name() const override { return "weight_tying"; }
  std::string_view enabledBy() const override { return "weight_tying"; }
  bool run(ir::TrainingGraph& graph, DiagnosticEngine& diags) override;
};

// The embedding a linear layer is tied to ("" when it has its own weight).
std::string tiedEmbedding(const ir::OpNode& op);

} // namespace fiver::passes
