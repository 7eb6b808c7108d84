#include "methods/channel_pruning/Pass.h"
#include "passes/PassRegistry.h"

#include "compiler/plan/OpKinds.h"
#include "passes/MethodParams.h"
#include "passes/OpAttrs.h"

#include <algorithm>
#include <cmath>

namespace fiver::passes {

namespace {

// Ops that compute each channel from the same channel alone, without
// parameters of the channel count: slicing their input slices their output.
bool perChannel(const ir::OpNode& op) {
  using plan::OpKind;
  for (OpKind k : {OpKind::BatchNorm, OpKind::Relu, OpKind::Gelu, OpKind::Silu, OpKind::MaxPool,
                   OpKind::AvgPool, OpKind::GlobalAvgPool, OpKind::GlobalMaxPool, OpKind::Dropout,
                   OpKind::Blur, OpKind::Clamp, OpKind::HardSigmoid, OpKind::Sigmoid})
    if (plan::isKind(op.kind, k)) return true;
  // A fused group of elementwise ops on one input, reading no parameter.
  return plan::isKind(op.kind, OpKind::Fused) && plan::getString(op.attrs, "params", "").empty();
}

bool plainConv(const ir::OpNode& op) {
  return plan::isKind(op.kind, plan::OpKind::Conv) && intAttr(op, "groups") <= 1;
}

} // namespace

PrunableChannels prunableChannels(const ir::TrainingGraph& g, ir::OpId conv) {
  PrunableChannels c;
  bool flattened = false;
  ir::OpId at = conv;
  for (;;) {
    const ir::OpNode& here = g.model[at];
    const auto [first, last] = boost::out_edges(at, g.model);
    const auto readers = std::distance(first, last);
    if (readers != 1) {
      c.why = readers == 0 ? "'" + here.name + "' is the model's output"
                           : "'" + here.name + "' is read by " + std::to_string(readers) +
                                 " ops (a residual add or a branch needs all its channels)";
      return c;
    }
    const ir::OpId next = boost::target(*first, g.model);
    const ir::OpNode& op = g.model[next];
    if (g.inputsOf(next).size() != 1) {
      c.why = "'" + op.name + "' (" + op.kind + ") joins it with another input";
      return c;
    }
    if (!flattened && plainConv(op)) {
      c.reader = next;
      return c;
    }
    if (flattened && plan::isKind(op.kind, plan::OpKind::Linear) &&
        plan::getString(op.attrs, "tied_to", "").empty()) {
      c.reader = next;
      return c;
    }
    if (!flattened && plan::isKind(op.kind, plan::OpKind::Flatten) && here.shape.size() == 3) {
      flattened = true;
      c.block = here.shape[1] * here.shape[2];
      c.perChannel.push_back(next);
      at = next;
      continue;
    }
    if (flattened || !perChannel(op)) {
      c.why = "'" + op.name + "' (" + op.kind + ") reads its channels and is no plain " +
              (flattened ? "linear layer" : "convolution or per-channel op");
      return c;
    }
    c.perChannel.push_back(next);
    at = next;
  }
}

int64_t keptFilters(int64_t out, double ratio) {
  return std::max<int64_t>(1, std::llround(static_cast<double>(out) * (1 - ratio)));
}

bool ChannelPruningPass::run(ir::TrainingGraph& g, DiagnosticEngine& diags) {
  const MethodUse* m = g.findMethod(std::string(enabledBy()));
  if (!m) return false;
  const double ratio = numberParam(*m, "ratio", 0.5);
  const int64_t step =
      std::llround(numberParam(*m, "at", 0.25) * static_cast<double>(g.timeline.totalSteps));
  int pruned = 0;
  int64_t before = 0, after = 0;
  std::string why;
  for (ir::OpId v : g.opsInOrder()) {
    ir::OpNode& op = g.model[v];
    if (!plan::isKind(op.kind, plan::OpKind::Conv)) continue;
    const int64_t out = intAttr(op, "out"), keep = keptFilters(out, ratio);
    PrunableChannels c = prunableChannels(g, v);
    if (!plainConv(op)) c.why = "it is a grouped convolution";
    if (c.why.empty() && keep >= out)
      c.why = "it has too few filters (" + std::to_string(out) + ") to remove any";
    if (!c.why.empty()) {
      why += (why.empty() ? "" : "; ") + op.name + ": " + c.why;
      continue;
    }
    op.attrs["prune_keep"] = countAttr(keep);
    op.attrs["prune_step"] = countAttr(step);
    for (ir::OpId p : c.perChannel)
      g.model[p].attrs["pruned_with"] = plan::Scalar::str(op.name);
    ir::OpNode& reader = g.model[c.reader];
    reader.attrs["pruned_input_of"] = plan::Scalar::str(op.name);
    reader.attrs["pruned_input_block"] = countAttr(c.block);
    ++pruned;
    before += out;
    after += keep;
  }
  if (pruned == 0) {
    diags.report(DiagId::ShapeError, m->where,
                 "channel_pruning: model '" + g.recipe.model.name +
                     "' has no convolution whose filters can be removed: each must reach exactly "
                     "one convolution or linear layer through per-channel ops only" +
                     (why.empty() ? std::string(" (it has no convolution)") : ": " + why));
    return false;
  }
  const std::string what = std::to_string(before - after) + " of " + std::to_string(before) +
                           " filters of " + std::to_string(pruned) + " convolutions";
  g.timeline.addEvent({step, "channel_pruning", "removes " + what});
  g.notes.push_back("channel_pruning: removes " + what + " before step " + std::to_string(step) +
                    (why.empty() ? "" : "; kept whole: " + why));
  return true;
}

namespace {
const PassRegistrar kPass([] { return std::make_unique<ChannelPruningPass>(); });
} // namespace

} // namespace fiver::passes
