#include "methods/memory_efficient_attention/Pass.h"
#include "passes/PassRegistry.h"

#include "compiler/plan/OpKinds.h"
#include "passes/MethodParams.h"
#include "passes/OpAttrs.h"

#include <cstdio>

namespace fiver::passes {

int64_t attentionMatrixBytes(int64_t batch, int64_t heads, int64_t length) {
  return batch * heads * length * length * static_cast<int64_t>(sizeof(float));
}

bool MemoryEfficientAttentionPass::run(ir::TrainingGraph& g, DiagnosticEngine&) {
  const MethodUse* m = g.findMethod(std::string(enabledBy()));
  if (!m) return false;
  const int64_t block = static_cast<int64_t>(numberParam(*m, "block", 64));
  int layers = 0;
  int64_t savedBytes = 0;
  for (ir::OpId v : g.opsInOrder()) {
    ir::OpNode& op = g.model[v];
    if (!plan::isKind(op.kind, plan::OpKind::CausalAttention)) continue;
    op.attrs["attention_block"] = countAttr(block);
    ++layers;
    const int64_t length = op.shape.empty() ? 0 : op.shape.front();
    savedBytes += attentionMatrixBytes(g.timeline.batchSize, intAttr(op, "heads"), length);
  }
  if (layers == 0) {
    g.notes.push_back("memory_efficient_attention: the model has no causal_attention op");
    return false;
  }
  char line[200];
  std::snprintf(line, sizeof line,
                "memory_efficient_attention: %d attention layers in blocks of %lld queries; their "
                "attention matrices (%.1f MB a step at batch %lld) are not kept",
                layers, static_cast<long long>(block), static_cast<double>(savedBytes) / 1e6,
                static_cast<long long>(g.timeline.batchSize));
  g.notes.push_back(line);
  return true;
}

namespace {
const PassRegistrar kPass([] { return std::make_unique<MemoryEfficientAttentionPass>(); });
} // namespace

} // namespace fiver::passes
