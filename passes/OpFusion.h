// op_fusion: maximal groups of elementwise ops become one `fused` op whose
// expression (docs/fused-expr.md) the kernels library compiles.
//
// Requires: the --fuse compile option (no method: fusion changes how the
// model is executed, not what it computes).
// Fusable: relu, gelu, silu, and two-input adds (residual joins) without a
// stochastic-depth gate (the runtime skips a gated add's branch). A group
// grows backwards from its last op: a fusable producer joins when every op
// that reads it is in the group (its value is needed nowhere else) and it has
// the group's memory format, dtype and freeze region, so no group straddles
// a layout conversion, an autocast border, or the step where backward stops.
// Groups of one op stay as they are. Not fused: batch norm (it trains on
// batch statistics until it freezes, and a frozen one is folded into its
// conv), dropout (the expression language has no random source).
// Changes: each group becomes `fused` with attributes params (empty: no
// group reads a parameter), saved (the inputs backward needs: those under a
// nonlinear op; everything else is recomputed) and ops (the kinds replaced).
#pragma once

#include "passes/Pass.h"

namespace fiver::passes {

class OpFusionPass : public Pass {
public:
  std::string_view name() const override { return "op_fusion"; }
  // Not driven by a method: the compile option --fuse adds it.
  std::string_view enabledBy() const override { return ""; }
  std::vector<std::string_view> runsAfter() const override {
    return {"factorize",      "blurpool",         "squeeze_excite",
            "lora",           "stochastic_depth", "progressive_growing",
            "layer_freezing", "channels_last",    "mixed_precision"};
  }
  bool run(ir::TrainingGraph& graph, DiagnosticEngine& diags) override;
};

} // namespace fiver::passes
