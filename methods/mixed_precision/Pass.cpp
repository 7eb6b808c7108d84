#include "methods/mixed_precision/Pass.h"
#include "passes/PassRegistry.h"

#include "compiler/plan/OpKinds.h"
#include "passes/MethodParams.h"

namespace fiver::passes {

namespace {

// Norms (and the loss, outside the graph) keep fp32.
bool keepsFp32(const std::string& kind) {
  return plan::isKind(kind, plan::OpKind::Input) || plan::isKind(kind, plan::OpKind::Embedding) ||
         plan::isNormalization(kind);
}

} // namespace

bool MixedPrecisionPass::run(ir::TrainingGraph& g, DiagnosticEngine& diags) {
  const MethodUse* m = g.findMethod(std::string(enabledBy()));
  if (!m) return false;
  const std::string dtype = textParam(*m, "dtype", "bf16");
  if (dtype != "bf16" && dtype != "fp16") {
    diags.report(DiagId::ParameterRange, argRange(*m, "dtype"),
                 "mixed_precision computes in bf16 or fp16, not '" + dtype + "'");
    return false;
  }
  int lowered = 0, kept = 0;
  for (ir::OpId v : g.opsInOrder()) {
    ir::OpNode& op = g.model[v];
    if (keepsFp32(op.kind)) {
      ++kept;
      continue;
    }
    op.dtype = dtype;
    ++lowered;
  }
  g.notes.push_back("mixed_precision: " + std::to_string(lowered) + " ops in " + dtype + ", " +
                    std::to_string(kept) + " kept in fp32");
  return lowered > 0;
}

namespace {
const PassRegistrar kPass([] { return std::make_unique<MixedPrecisionPass>(); });
} // namespace

} // namespace fiver::passes
