// factorize: low-rank split of wide convolutions and linear layers.
//
// Requires: a factorize method (rank, min_channels, min_features, min_saving).
// Changes: a conv (k x k, C_in -> C_out) with min(C_in, C_out) >= min_channels
// becomes `<name>_low` (k x k, C_in -> r, same stride and padding, no bias)
// followed by `<name>` (1 x 1, r -> C_out, the original bias), with
// r = round(rank * min(C_in, C_out)); a linear layer with
// min(in, out) >= min_features becomes two through an r-wide bottleneck. A
// layer is split only when its FLOPs fall by more than min_saving:
// saving = 1 - r (C_in k^2 + C_out) / (C_in C_out k^2). Shapes do not change.
#pragma once

#include "passes/Pass.h"

namespace fiver::passes {

class FactorizePass : public Pass {
public:
  std::string_view name() const override { return "factorize"; }
  std::string_view enabledBy() const override { return "factorize"; }
  std::vector<std::string_view> runsAfter() const override { return {"weight_tying"}; }
  bool run(ir::TrainingGraph& graph, DiagnosticEngine& diags) override;
};

// The fraction of a layer's multiply-adds that a rank-r split saves; kernel 1
// for linear layers.
double factorizedSaving(int64_t in, int64_t out, int64_t kernel, int64_t rank);

} // namespace fiver::passes
