// progressive_resolution: the per-step input-size schedule of the
// progressive_resize method.
//
// Requires: a progressive_resize method; a model whose classifier does not
// depend on the input size (global pooling before flatten/linear).
// Changes: the graph's resolution stages and timeline events; not the ops.
#pragma once

#include "passes/Pass.h"

namespace fiver::passes {

class ProgressiveResolutionPass : public Pass {
public:
  std::string_view name() const override { return "progressive_resolution"; }
  std::string_view enabledBy() const override { return "progressive_resize"; }
  std::vector<std::string_view> runsAfter() const override {
    return {"factorize",      "blurpool",      "squeeze_excite",  "lora",     "stochastic_depth",
            "layer_freezing", "channels_last", "mixed_precision", "op_fusion"};
  }
  bool run(ir::TrainingGraph& graph, DiagnosticEngine& diags) override;
};

} // namespace fiver::passes
