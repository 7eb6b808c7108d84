// squeeze_excite: channel gates after wide convolutions (Hu et al., 2018).
//
// Requires: a squeeze_excite method (reduction, min_channels).
// Changes: after every conv with at least min_channels outputs (after the
// batch norm that follows it, when one does) a `squeeze_excite` op: global
// mean, linear C -> max(1, C / reduction), relu, linear back to C, sigmoid,
// and the input scaled by that per-channel gate. Shapes do not change.
#pragma once

#include "passes/Pass.h"

namespace fiver::passes {

class SqueezeExcitePass : public Pass {
public:
  std::string_view name() const override { return "squeeze_excite"; }
  std::string_view enabledBy() const override { return "squeeze_excite"; }
  std::vector<std::string_view> runsAfter() const override { return {"factorize", "blurpool"}; }
  bool run(ir::TrainingGraph& graph, DiagnosticEngine& diags) override;
};

} // namespace fiver::passes
