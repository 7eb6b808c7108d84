// alibi: attention with linear biases instead of learned positions (Press,
// Smith and Lewis, 2022).
//
// Requires: an alibi method; a model with an `embedding` and at least one
// `causal_attention` (a language model such as tiny_gpt).
// Changes: each embedding gets `positions: 0`, so the runtime builds it
// without a position table (positions x dim parameters fewer), and each
// causal attention gets `alibi: 1`, so the runtime adds the head-specific
// bias -m_h (i - j) to its scores (H T^2 adds a sequence). A model without
// causal attention keeps its position table, with a note: removing it there
// would leave the model blind to order.
#pragma once

#include "passes/Pass.h"

namespace fiver::passes {

class AlibiPass : public Pass {
public:
  std::string_view name() const override { return "alibi"; }
  std::string_view enabledBy() const override { return "alibi"; }
  // An architecture rewrite: after weight tying, which reads the embedding.
  std::vector<std::string_view> runsAfter() const override { return {"weight_tying"}; }
  bool run(ir::TrainingGraph& graph, DiagnosticEngine& diags) override;
};

} // namespace fiver::passes
