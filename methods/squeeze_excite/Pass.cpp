#include "methods/squeeze_excite/Pass.h"
#include "passes/PassRegistry.h"

#include "compiler/ir/GraphRewrite.h"
#include "compiler/plan/OpKinds.h"
#include "passes/MethodParams.h"

#include <algorithm>
#include <set>

namespace fiver::passes {

bool SqueezeExcitePass::run(ir::TrainingGraph& g, DiagnosticEngine&) {
  const MethodUse* m = g.findMethod(std::string(enabledBy()));
  if (!m) return false;
  const int64_t reduction =
      std::max<int64_t>(1, static_cast<int64_t>(numberParam(*m, "reduction", 16)));
  const int64_t minChannels = static_cast<int64_t>(numberParam(*m, "min_channels", 64));

  // The op each gate follows: the conv's batch norm when the conv feeds only
  // that, else the conv itself (a gate between them would be undone by the
  // normalization).
  std::set<ir::OpId> gated;
  for (ir::OpId v : g.opsInOrder()) {
    const ir::OpNode& op = g.model[v];
    if (!plan::isKind(op.kind, plan::OpKind::Conv) || op.shape.size() != 3 ||
        op.shape[0] < minChannels)
      continue;
    std::vector<ir::OpId> next = ir::consumersOf(g, v);
    // The first factor of a factorized conv is half of one layer.
    if (next.size() == 1 && plan::isKind(g.model[next[0]].kind, plan::OpKind::Conv)) continue;
    gated.insert(next.size() == 1 && plan::isKind(g.model[next[0]].kind, plan::OpKind::BatchNorm)
                     ? next[0]
                     : v);
  }
  if (gated.empty()) {
    g.notes.push_back("squeeze_excite: no conv with at least " + std::to_string(minChannels) +
                      " channels");
    return false;
  }
  ir::ModelRebuilder b(g);
  int count = 0;
  for (ir::OpId v : g.opsInOrder()) {
    ir::OpId now = b.copy(v);
    if (!gated.count(v)) continue;
    const ir::OpNode& op = g.model[v];
    ir::OpNode se;
    se.kind = plan::nameOf(plan::OpKind::SqueezeExcite);
    se.name = "squeeze_excite" + std::to_string(++count);
    se.where = op.where;
    se.shape = op.shape;
    se.attrs["channels"] = plan::Scalar::num(static_cast<double>(op.shape[0]));
    se.attrs["hidden"] =
        plan::Scalar::num(static_cast<double>(std::max<int64_t>(1, op.shape[0] / reduction)));
    b.map(v, b.add(se, {now}));
  }
  g.model = b.take();
  g.notes.push_back("squeeze_excite: " + std::to_string(count) + " gates");
  return true;
}

namespace {
const PassRegistrar kPass([] { return std::make_unique<SqueezeExcitePass>(); });
} // namespace

} // namespace fiver::passes
