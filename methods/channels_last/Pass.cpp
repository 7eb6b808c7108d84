#include "methods/channels_last/Pass.h"
#include "compiler/plan/OpKinds.h"
#include "passes/PassRegistry.h"

namespace fiver::passes {

namespace {
const char* kChannelsLast = "channels_last";

bool isImage(const ir::OpNode& op) {
  return op.shape.size() == 3;
}
bool isOnePixel(const ir::OpNode& op) {
  return isImage(op) && op.shape[1] == 1 && op.shape[2] == 1;
}
} // namespace

bool ChannelsLastPass::run(ir::TrainingGraph& g, DiagnosticEngine&) {
  if (!g.findMethod(std::string(enabledBy()))) return false;
  bool changed = false;
  // Ops are in topological order, so a region grows forward from each conv.
  for (ir::OpId v : g.opsInOrder()) {
    ir::OpNode& op = g.model[v];
    if (!isImage(op) || plan::isKind(op.kind, plan::OpKind::Input)) continue;
    bool startsRegion = plan::isKind(op.kind, plan::OpKind::Conv);
    bool continuesRegion = false;
    for (ir::OpId in : g.inputsOf(v))
      continuesRegion |= g.model[in].memoryFormat == kChannelsLast;
    if ((startsRegion || continuesRegion) && op.memoryFormat != kChannelsLast) {
      op.memoryFormat = kChannelsLast;
      changed = true;
    }
  }
  int conversions = 0;
  for (auto [it, end] = boost::edges(g.model); it != end; ++it) {
    const ir::OpNode& from = g.model[boost::source(*it, g.model)];
    const ir::OpNode& to = g.model[boost::target(*it, g.model)];
    if (from.memoryFormat != to.memoryFormat && !isOnePixel(from)) ++conversions;
  }
  g.notes.push_back("channels_last: " + std::to_string(conversions) + " layout conversions");
  return changed;
}

namespace {
const PassRegistrar kPass([] { return std::make_unique<ChannelsLastPass>(); });
} // namespace

} // namespace fiver::passes
