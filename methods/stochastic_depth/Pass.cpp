#include "methods/stochastic_depth/Pass.h"
#include "passes/PassRegistry.h"

#include "compiler/plan/OpKinds.h"
#include "passes/MethodParams.h"
#include "passes/ResidualBranches.h"

#include <cstdio>

namespace fiver::passes {

bool StochasticDepthPass::run(ir::TrainingGraph& g, DiagnosticEngine&) {
  const MethodUse* m = g.findMethod(std::string(enabledBy()));
  if (!m) return false;
  const double drop = numberParam(*m, "drop", 0.1);
  const std::vector<ir::OpId> adds = residualAdds(g);
  if (adds.empty()) {
    g.notes.push_back("stochastic_depth: the model has no residual branch to drop");
    return false;
  }
  for (size_t i = 0; i < adds.size(); ++i) {
    const double rate = drop * static_cast<double>(i + 1) / static_cast<double>(adds.size());
    g.model[adds[i]].attrs["drop"] = plan::Scalar::num(rate);
  }
  char range[64];
  std::snprintf(range, sizeof range, "%.3g to %.3g", drop / static_cast<double>(adds.size()), drop);
  g.notes.push_back("stochastic_depth: " + std::to_string(adds.size()) +
                    " residual branches, drop rates " + range);
  return true;
}

namespace {
const PassRegistrar kPass([] { return std::make_unique<StochasticDepthPass>(); });
} // namespace

} // namespace fiver::passes
