// layer_freezing: FreezeOut-style freeze steps, front to back.
//
// Requires: a layer_freezing method (start, end: fractions of the budget).
// Changes: freezeStep of conv/linear ops and the bn that follows each conv;
// the classifier (the last conv or linear) never freezes. Layer i of n freezes at
// T * (start + (end - start) * i / (n - 1)), so frozen layers always form a
// prefix and the backward pass can stop at the first trainable one.
#pragma once

#include "passes/Pass.h"

namespace fiver::passes {

class LayerFreezingPass : public Pass {
public:
  std::string_view name() const override { return "layer_freezing"; }
  std::string_view enabledBy() const override { return "layer_freezing"; }
  bool run(ir::TrainingGraph& graph, DiagnosticEngine& diags) override;
};

} // namespace fiver::passes
