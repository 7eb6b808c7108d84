// stochastic_depth: a drop rate on every residual branch (Huang et al., 2016).
//
// Requires: a stochastic_depth method (drop).
// Changes: the attribute `drop` of every residual add (two different inputs):
// the l-th of L branches in depth order is skipped with probability
// drop * l / L. The runtime's stochastic_depth hook draws the gates from these
// rates each step; ops and shapes do not change.
#pragma once

#include "passes/Pass.h"

namespace fiver::passes {

class StochasticDepthPass : public Pass {
public:
  std::string_view name() const override { return "stochastic_depth"; }
  std::string_view enabledBy() const override { return "stochastic_depth"; }
  // Drops whole residual branches, the gates squeeze_excite adds included.
  std::vector<std::string_view> runsAfter() const override {
    return {"weight_tying", "factorize", "blurpool", "squeeze_excite", "lora"};
  }
  bool run(ir::TrainingGraph& graph, DiagnosticEngine& diags) override;
};

} // namespace fiver::passes
