#include "methods/lora/Pass.h"
#include "passes/PassRegistry.h"

#include "compiler/ir/GraphRewrite.h"
#include "compiler/plan/LowRankAdapters.h"
#include "compiler/plan/OpKinds.h"
#include "methods/weight_tying/Pass.h"
#include "passes/MethodParams.h"
#include "passes/OpAttrs.h"

#include <algorithm>
#include <cmath>

namespace fiver::passes {

namespace {

// A part of L's adapter: its name, the attributes that tie it to L, and L's
// source position (diagnostics about it point at the layer).
ir::OpNode adapterPart(const ir::OpNode& layer, const std::string& kind, const char* part) {
  ir::OpNode op;
  op.kind = kind;
  op.name = layer.name + "_lora_" + part;
  op.attrs[std::string(plan::kAdapterOf)] = plan::Scalar::str(layer.name);
  op.attrs[std::string(plan::kAdapterPart)] = plan::Scalar::str(part);
  op.shape = layer.shape;
  op.where = layer.where;
  return op;
}

} // namespace

bool LoraPass::run(ir::TrainingGraph& g, DiagnosticEngine&) {
  const MethodUse* m = g.findMethod(std::string(enabledBy()));
  if (!m) return false;
  const int64_t rank = static_cast<int64_t>(numberParam(*m, "rank", 8));
  const double alpha = numberParam(*m, "alpha", 8);
  const int64_t minFeatures = static_cast<int64_t>(numberParam(*m, "min_features", 16));

  ir::ModelRebuilder b(g);
  int adapted = 0, narrow = 0, grouped = 0;
  int64_t adapterParams = 0, frozenParams = 0;
  for (ir::OpId v : g.opsInOrder()) {
    const ir::OpNode& op = g.model[v];
    const bool conv = plan::isKind(op.kind, plan::OpKind::Conv),
               linear = plan::isKind(op.kind, plan::OpKind::Linear);
    // A tied classifier's weight is the embedding's table, which trains as
    // the embedding does.
    if ((!conv && !linear) || !tiedEmbedding(op).empty()) {
      b.copy(v);
      continue;
    }
    if (conv && intAttr(op, "groups") > 1) {
      ++grouped;
      b.copy(v);
      continue;
    }
    const int64_t in = intAttr(op, "in"), out = intAttr(op, "out");
    if (std::min(in, out) < minFeatures) {
      ++narrow;
      b.copy(v);
      continue;
    }
    const int64_t r = std::min({rank, in, out});
    const int64_t kernel = conv ? intAttr(op, "kernel") : 1;
    const ir::OpId base = b.copy(v);

    ir::OpNode down = adapterPart(op, op.kind, "down");
    down.attrs["in"] = countAttr(in);
    down.attrs["out"] = countAttr(r);
    down.attrs["bias"] = countAttr(0);
    if (conv) {
      down.attrs["kernel"] = countAttr(kernel);
      down.attrs["stride"] = countAttr(intAttr(op, "stride"));
      down.attrs["padding"] = countAttr(intAttr(op, "padding"));
    }
    (conv ? down.shape.front() : down.shape.back()) = r; // channels, or features

    ir::OpNode up = adapterPart(op, op.kind, "up");
    up.attrs["in"] = countAttr(r);
    up.attrs["out"] = countAttr(out);
    up.attrs["bias"] = countAttr(0);
    if (conv) {
      up.attrs["kernel"] = countAttr(1);
      up.attrs["stride"] = countAttr(1);
      up.attrs["padding"] = countAttr(0);
    }

    ir::OpNode scale = adapterPart(op, std::string(plan::nameOf(plan::OpKind::Scale)), "scale");
    scale.attrs["factor"] = plan::Scalar::num(alpha / static_cast<double>(r));
    ir::OpNode join = adapterPart(op, std::string(plan::nameOf(plan::OpKind::Add)), "join");

    const ir::OpId downId = b.add(down, b.mappedInputs(v));
    const ir::OpId upId = b.add(up, {downId});
    const ir::OpId scaleId = b.add(scale, {upId});
    b.map(v, b.add(join, {base, scaleId}));
    ++adapted;
    adapterParams += r * (in * kernel * kernel + out);
    frozenParams += in * out * kernel * kernel;
  }
  g.model = b.take();
  g.notes.push_back("lora: " + std::to_string(adapted) + " layers adapted (" +
                    std::to_string(adapterParams) + " adapter parameters train instead of " +
                    std::to_string(frozenParams) + " frozen weights), " + std::to_string(narrow) +
                    " narrower than " + std::to_string(minFeatures) + ", " +
                    std::to_string(grouped) + " grouped convolutions left alone");
  return adapted > 0;
}

namespace {
const PassRegistrar kPass([] { return std::make_unique<LoraPass>(); });
} // namespace

} // namespace fiver::passes
