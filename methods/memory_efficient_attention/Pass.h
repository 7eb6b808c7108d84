// memory_efficient_attention: causal attention in blocks of queries.
//
// Requires: a memory_efficient_attention method (block) and a model with
// causal_attention ops.
// Changes: every causal_attention op gets `attention_block: block`; the
// runtime then computes it with runtime/model/BlockedAttention.h instead of
// holding its [B * H, T, T] scores. Ops and shapes do not change.
#pragma once

#include "passes/Pass.h"

#include <cstdint>

namespace fiver::passes {

class MemoryEfficientAttentionPass : public Pass {
public:
  std::string_view name() const override { return "memory_efficient_attention"; }
  std::string_view enabledBy() const override { return "memory_efficient_attention"; }
  std::vector<std::string_view> runsAfter() const override { return {"alibi", "mixed_precision"}; }
  bool run(ir::TrainingGraph& graph, DiagnosticEngine& diags) override;
};

// The bytes of the fp32 attention matrices a step of `batch` sequences of
// `length` tokens keeps for backward: one [batch * heads, length, length]
// matrix a layer.
int64_t attentionMatrixBytes(int64_t batch, int64_t heads, int64_t length);

} // namespace fiver::passes
