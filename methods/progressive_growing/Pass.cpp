#include "methods/progressive_growing/Pass.h"
#include "passes/PassRegistry.h"

#include "passes/MethodParams.h"
#include "passes/ResidualBranches.h"

#include <cmath>

namespace fiver::passes {

std::vector<int64_t> growSteps(size_t blocks, double start, double until, int64_t totalSteps) {
  const size_t initial =
      std::min(blocks, static_cast<size_t>(std::ceil(start * static_cast<double>(blocks) - 1e-9)));
  const size_t later = blocks - initial;
  std::vector<int64_t> steps(blocks, 0);
  for (size_t k = 1; k <= later; ++k)
    steps[initial + k - 1] = std::llround(until * static_cast<double>(totalSteps) *
                                          static_cast<double>(k) / static_cast<double>(later));
  return steps;
}

bool ProgressiveGrowingPass::run(ir::TrainingGraph& g, DiagnosticEngine&) {
  const MethodUse* m = g.findMethod(std::string(enabledBy()));
  if (!m) return false;
  const std::vector<ir::OpId> adds = residualAdds(g);
  if (adds.empty()) {
    g.notes.push_back("progressive_growing: the model has no residual block to grow");
    return false;
  }
  const std::vector<int64_t> steps =
      growSteps(adds.size(), numberParam(*m, "start", 0.5), numberParam(*m, "until", 0.5),
                g.timeline.totalSteps);
  size_t later = 0;
  std::string joins;
  for (size_t i = 0; i < adds.size(); ++i) {
    g.model[adds[i]].attrs["grow_step"] = plan::Scalar::num(static_cast<double>(steps[i]));
    if (steps[i] == 0) continue;
    ++later;
    joins += (joins.empty() ? "" : ", ") + g.model[adds[i]].name + " at step " +
             std::to_string(steps[i]);
    g.timeline.addEvent(
        {steps[i], "progressive_growing", "the block of " + g.model[adds[i]].name + " joins"});
  }
  g.notes.push_back("progressive_growing: " + std::to_string(adds.size() - later) + " of " +
                    std::to_string(adds.size()) + " residual blocks train from the start" +
                    (joins.empty() ? "" : "; " + joins));
  return later > 0;
}

namespace {
const PassRegistrar kPass([] { return std::make_unique<ProgressiveGrowingPass>(); });
} // namespace

} // namespace fiver::passes
