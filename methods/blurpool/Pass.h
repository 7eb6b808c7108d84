// blurpool: antialiased downsampling (Zhang, 2019).
//
// Requires: a blurpool method (replace_convs, replace_maxpools, blur_first).
// Changes: a `blur` op (fixed 3x3 binomial low-pass, padding 1, then
// subsampling by its stride) is added to every strided conv and max-pool:
//  - strided conv, blur_first: blur (stride 1) on the conv's input;
//  - strided conv, otherwise: the conv runs at stride 1, then blur (stride s);
//  - max-pool (kernel k, stride s): max-pool at stride 1, then blur (stride s).
// Output shapes stay as they were: (H + 2p - k) / s + 1 either way.
#pragma once

#include "passes/Pass.h"

namespace fiver::passes {

class BlurPoolPass : public Pass {
public:
  std::string_view name() const override { return "blurpool"; }
  std::string_view enabledBy() const override { return "blurpool"; }
  // Architecture rewrites run after weight tying (no later pass may split the
  // shared table apart), factorize first: the order the pass dumps have
  // always shown.
  std::vector<std::string_view> runsAfter() const override { return {"weight_tying", "factorize"}; }
  bool run(ir::TrainingGraph& graph, DiagnosticEngine& diags) override;
};

} // namespace fiver::passes
