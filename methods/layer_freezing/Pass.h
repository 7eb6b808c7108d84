// layer_freezing: FreezeOut-style freeze steps, front to back.
//
// Requires: a layer_freezing method (start, end: fractions of the budget).
// Changes: freezeStep of conv/linear/embedding/causal_attention ops, of the
// bn that follows each conv and of each layernorm (with the layer after it);
// the classifier (the last layer with weights) never freezes, nor does an
// embedding the classifier is tied to. Layer i of n freezes at
// T * (start + (end - start) * i / (n - 1)), so frozen layers always form a
// prefix and the backward pass can stop at the first trainable one. A conv
// whose only reader is its batch norm gets `fold_bn` (and the norm
// `folded_into`): from the freeze step on the runtime runs the pair as one
// conv with the norm folded into its weights and bias. Squeeze-excite gates
// freeze with the conv they follow.
#pragma once

#include "passes/Pass.h"

namespace fiver::passes {

class LayerFreezingPass : public Pass {
public:
  std::string_view name() const override { return "layer_freezing"; }
  std::string_view enabledBy() const override { return "layer_freezing"; }
  std::vector<std::string_view> runsAfter() const override {
    return {"weight_tying", "factorize", "blurpool", "squeeze_excite", "lora", "stochastic_depth"};
  }
  bool run(ir::TrainingGraph& graph, DiagnosticEngine& diags) override;
};

} // namespace fiver::passes
