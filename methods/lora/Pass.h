// lora: low-rank adapters beside the conv and linear layers.
//
// Requires: a lora method (rank, alpha, min_features).
// Changes: each conv with one group and each untied linear layer whose
// min(in, out) >= min_features, `L`, gets `L_lora_down` (L's kernel, stride
// and padding, in -> r, no bias), `L_lora_up` (1 x 1 or linear, r -> out, no
// bias), `L_lora_scale` (alpha / r) and `L_lora_join` (L + scale), with
// r = min(rank, in, out); L's readers read the join. The parts carry the
// attributes of compiler/plan/LowRankAdapters.h. Shapes do not change.
#pragma once

#include "passes/Pass.h"

namespace fiver::passes {

class LoraPass : public Pass {
public:
  std::string_view name() const override { return "lora"; }
  std::string_view enabledBy() const override { return "lora"; }
  // Adapts the layers as the architecture passes leave them.
  std::vector<std::string_view> runsAfter() const override {
    return {"weight_tying", "factorize", "blurpool", "squeeze_excite"};
  }
  bool run(ir::TrainingGraph& graph, DiagnosticEngine& diags) override;
};

} // namespace fiver::passes
