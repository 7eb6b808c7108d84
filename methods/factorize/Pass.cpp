#include "methods/factorize/Pass.h"
#include "passes/PassRegistry.h"

#include "compiler/ir/GraphRewrite.h"
#include "compiler/plan/OpKinds.h"
#include "methods/weight_tying/Pass.h"
#include "passes/MethodParams.h"
#include "passes/OpAttrs.h"

#include <algorithm>
#include <cmath>

namespace fiver::passes {

double factorizedSaving(int64_t in, int64_t out, int64_t kernel, int64_t rank) {
  const double k2 = static_cast<double>(kernel * kernel);
  const double before = static_cast<double>(in) * static_cast<double>(out) * k2;
  const double after =
      static_cast<double>(rank) * (static_cast<double>(in) * k2 + static_cast<double>(out));
  return before <= 0 ? 0 : 1.0 - after / before;
}

bool FactorizePass::run(ir::TrainingGraph& g, DiagnosticEngine&) {
  const MethodUse* m = g.findMethod(std::string(enabledBy()));
  if (!m) return false;
  const double rankFraction = numberParam(*m, "rank", 0.25);
  const int64_t minChannels = static_cast<int64_t>(numberParam(*m, "min_channels", 256));
  const int64_t minFeatures = static_cast<int64_t>(numberParam(*m, "min_features", 256));
  const double minSaving = numberParam(*m, "min_saving", 0.1);

  ir::ModelRebuilder b(g);
  int split = 0, tooSmall = 0, notCheaper = 0;
  for (ir::OpId v : g.opsInOrder()) {
    const ir::OpNode& op = g.model[v];
    const bool conv = plan::isKind(op.kind, plan::OpKind::Conv),
               linear = plan::isKind(op.kind, plan::OpKind::Linear);
    // A tied classifier's weight is the embedding's table: not its to split.
    if ((!conv && !linear) || !tiedEmbedding(op).empty()) {
      b.copy(v);
      continue;
    }
    const int64_t in = intAttr(op, "in"), out = intAttr(op, "out");
    const int64_t kernel = conv ? intAttr(op, "kernel") : 1;
    if (std::min(in, out) < (conv ? minChannels : minFeatures)) {
      ++tooSmall;
      b.copy(v);
      continue;
    }
    const int64_t rank =
        std::max<int64_t>(1, std::llround(rankFraction * static_cast<double>(std::min(in, out))));
    if (factorizedSaving(in, out, kernel, rank) <= minSaving) {
      ++notCheaper;
      b.copy(v);
      continue;
    }
    // The first factor keeps the receptive field and stride; the second mixes
    // the r basis maps into C_out outputs and keeps the layer's name, so
    // later passes and the timeline still find it.
    ir::OpNode low = op;
    low.name = op.name + "_low";
    low.attrs["out"] = countAttr(rank);
    low.attrs["bias"] = countAttr(0);
    (conv ? low.shape.front() : low.shape.back()) = rank; // channels, or features

    ir::OpNode up = op;
    up.attrs["in"] = countAttr(rank);
    if (conv) {
      up.attrs["kernel"] = countAttr(1);
      up.attrs["stride"] = countAttr(1);
      up.attrs["padding"] = countAttr(0);
    }
    ir::OpId lowId = b.add(low, b.mappedInputs(v));
    b.map(v, b.add(up, {lowId}));
    ++split;
  }
  g.model = b.take();
  g.notes.push_back("factorize: " + std::to_string(split) + " layers split, " +
                    std::to_string(tooSmall) + " narrower than the threshold, " +
                    std::to_string(notCheaper) + " not cheaper by more than " +
                    std::to_string(std::lround(minSaving * 100)) + "%");
  return split > 0;
}

namespace {
const PassRegistrar kPass([] { return std::make_unique<FactorizePass>(); });
} // namespace

} // namespace fiver::passes
