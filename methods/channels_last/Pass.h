// channels_last: assigns the NHWC layout to convolution regions.
//
// Requires: a channels_last method.
// Changes: memoryFormat of every op with a CxHxW output inside a region that
// starts at a conv (elementwise ops, bn, pooling, adds between convs). The
// graph input stays NCHW; a conversion happens wherever an edge changes
// layout, and the pass reports how many there are. A Cx1x1 tensor has the
// same bytes in both layouts, so edges out of 1x1 outputs cost nothing.
#pragma once

#include "passes/Pass.h"

namespace fiver::passes {

class ChannelsLastPass : public Pass {
public:
  std::string_view name() const override { return "channels_last"; }
  std::string_view enabledBy() const override { return "channels_last"; }
  // Layout and precision decisions see the final ops, after every
  // architecture rewrite and the freeze schedule.
  std::vector<std::string_view> runsAfter() const override {
    return {"factorize", "blurpool",         "squeeze_excite",
            "lora",      "stochastic_depth", "layer_freezing"};
  }
  bool run(ir::TrainingGraph& graph, DiagnosticEngine& diags) override;
};

} // namespace fiver::passes
