#include "methods/blurpool/Pass.h"
#include "passes/PassRegistry.h"

#include "compiler/ir/GraphBuilder.h"
#include "compiler/ir/GraphRewrite.h"
#include "compiler/plan/OpKinds.h"
#include "passes/MethodParams.h"
#include "passes/OpAttrs.h"

namespace fiver::passes {

namespace {

ir::OpNode blurOp(const std::string& name, const std::vector<int64_t>& input, int64_t stride,
                  const SourceRange& where) {
  ir::OpNode blur;
  blur.kind = plan::nameOf(plan::OpKind::Blur);
  blur.name = name;
  blur.where = where;
  blur.attrs["channels"] = plan::Scalar::num(static_cast<double>(input[0]));
  blur.attrs["stride"] = plan::Scalar::num(static_cast<double>(stride));
  ir::inferShape(blur, {input});
  return blur;
}

} // namespace

bool BlurPoolPass::run(ir::TrainingGraph& g, DiagnosticEngine&) {
  const MethodUse* m = g.findMethod(std::string(enabledBy()));
  if (!m) return false;
  const bool convs = flagParam(*m, "replace_convs", true);
  const bool maxpools = flagParam(*m, "replace_maxpools", true);
  const bool blurFirst = flagParam(*m, "blur_first", true);

  ir::ModelRebuilder b(g);
  int blurred = 0;
  auto nextName = [&] { return "blur" + std::to_string(++blurred); };
  for (ir::OpId v : g.opsInOrder()) {
    const ir::OpNode& op = g.model[v];
    const int64_t stride = intAttr(op, "stride");
    const bool conv = convs && plan::isKind(op.kind, plan::OpKind::Conv) && stride > 1;
    const bool pool = maxpools && plan::isKind(op.kind, plan::OpKind::MaxPool) && stride > 1;
    if (!conv && !pool) {
      b.copy(v);
      continue;
    }
    const ir::OpId input = b.mappedInputs(v).at(0);
    if (conv && blurFirst) {
      ir::OpNode blur = blurOp(nextName(), g.model[g.inputsOf(v)[0]].shape, 1, op.where);
      ir::OpId blurId = b.add(blur, {input});
      b.map(v, b.add(op, {blurId}));
      continue;
    }
    // Evaluate densely, low-pass, then subsample.
    ir::OpNode dense = op;
    dense.attrs["stride"] = plan::Scalar::num(1);
    std::vector<std::vector<int64_t>> inShape = {g.model[g.inputsOf(v)[0]].shape};
    ir::inferShape(dense, inShape);
    ir::OpId denseId = b.add(dense, {input});
    b.map(v, b.add(blurOp(nextName(), dense.shape, stride, op.where), {denseId}));
  }
  if (blurred == 0) {
    g.notes.push_back("blurpool: no strided conv or max-pool to antialias");
    return false;
  }
  g.model = b.take();
  g.notes.push_back("blurpool: " + std::to_string(blurred) + " blur filters");
  return true;
}

namespace {
const PassRegistrar kPass([] { return std::make_unique<BlurPoolPass>(); });
} // namespace

} // namespace fiver::passes
