#include "passes/OpFusion.h"
#include "passes/PassRegistry.h"

#include "compiler/ir/GraphRewrite.h"
#include "compiler/plan/LowRankAdapters.h"
#include "compiler/plan/OpKinds.h"

#include <algorithm>
#include <limits>
#include <map>
#include <set>

namespace fiver::passes {

namespace {

bool fusable(const ir::TrainingGraph& g, ir::OpId v) {
  const std::string& kind = g.model[v].kind;
  if (plan::isKind(kind, plan::OpKind::Relu) || plan::isKind(kind, plan::OpKind::Gelu) ||
      plan::isKind(kind, plan::OpKind::Silu))
    return true;
  std::vector<ir::OpId> ins = g.inputsOf(v);
  // An add with a stochastic-depth gate or a growth step stays: the runtime
  // skips its branch. So does an adapter's join: export folds the adapter at it.
  const plan::ScalarMap& attrs = g.model[v].attrs;
  return plan::isKind(kind, plan::OpKind::Add) && ins.size() == 2 &&
         g.model[ins[0]].shape == g.model[ins[1]].shape && !attrs.count("drop") &&
         !attrs.count("grow_step") && !attrs.count(std::string(plan::kAdapterOf));
}

bool nonlinear(const std::string& kind) {
  return !plan::isKind(kind, plan::OpKind::Add);
}

// The step from which an op's output needs no gradient: the latest freeze
// step among the parameters it depends on (max() when one never freezes).
// Ops in one group must agree, or the group would straddle the point where
// backward stops.
std::map<ir::OpId, int64_t> freezeRegions(const ir::TrainingGraph& g) {
  constexpr int64_t never = std::numeric_limits<int64_t>::max();
  std::map<ir::OpId, int64_t> region;
  for (ir::OpId v : g.opsInOrder()) {
    const ir::OpNode& op = g.model[v];
    int64_t r = std::numeric_limits<int64_t>::min();
    for (ir::OpId in : g.inputsOf(v))
      r = std::max(r, region.at(in));
    if (plan::hasParameters(op.kind)) r = std::max(r, op.freezeStep < 0 ? never : op.freezeStep);
    region[v] = r;
  }
  return region;
}

struct Group {
  ir::OpId root;
  std::set<ir::OpId> members;
};

class ExpressionWriter {
public:
  ExpressionWriter(const ir::TrainingGraph& g, const Group& group) : g_(g), group_(group) {}

  std::string write(ir::OpId v, bool underNonlinear) {
    if (!group_.members.count(v)) {
      auto [it, added] = index_.emplace(v, static_cast<int>(inputs_.size()));
      if (added) inputs_.push_back(v);
      if (underNonlinear) saved_.insert(it->second);
      return "%" + std::to_string(it->second);
    }
    const ir::OpNode& op = g_.model[v];
    const bool keep = underNonlinear || nonlinear(op.kind);
    std::string out = op.kind + "(";
    std::vector<ir::OpId> ins = g_.inputsOf(v);
    for (size_t i = 0; i < ins.size(); ++i)
      out += (i ? "," : "") + write(ins[i], keep);
    return out + ")";
  }
  const std::vector<ir::OpId>& inputs() const { return inputs_; }
  std::string saved() const {
    std::string out;
    for (int k : saved_)
      out += (out.empty() ? "%" : ",%") + std::to_string(k);
    return out;
  }

private:
  const ir::TrainingGraph& g_;
  const Group& group_;
  std::map<ir::OpId, int> index_;
  std::vector<ir::OpId> inputs_;
  std::set<int> saved_;
};

} // namespace

bool OpFusionPass::run(ir::TrainingGraph& g, DiagnosticEngine&) {
  const std::map<ir::OpId, int64_t> region = freezeRegions(g);
  std::vector<ir::OpId> order = g.opsInOrder();
  std::map<ir::OpId, size_t> groupOf;
  std::vector<Group> groups;
  int rejected = 0;
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    const ir::OpId root = *it;
    if (groupOf.count(root) || !fusable(g, root)) continue;
    const ir::OpNode& r = g.model[root];
    Group group{root, {root}};
    auto joins = [&](ir::OpId p) {
      const ir::OpNode& op = g.model[p];
      if (group.members.count(p) || groupOf.count(p) || !fusable(g, p)) return false;
      if (op.memoryFormat != r.memoryFormat || op.dtype != r.dtype ||
          region.at(p) != region.at(root))
        return false;
      for (ir::OpId c : ir::consumersOf(g, p))
        if (!group.members.count(c)) return false;
      return true;
    };
    // Re-scan until nothing joins: a producer read by two members joins once
    // both are in.
    for (bool grew = true; grew;) {
      grew = false;
      for (ir::OpId m : std::vector<ir::OpId>(group.members.begin(), group.members.end()))
        for (ir::OpId p : g.inputsOf(m))
          if (joins(p)) grew = group.members.insert(p).second;
    }
    if (group.members.size() < 2) continue;
    bool sameFormat = true;
    for (ir::OpId m : group.members)
      for (ir::OpId in : g.inputsOf(m))
        if (!group.members.count(in) && g.model[in].memoryFormat != r.memoryFormat)
          sameFormat = false;
    if (!sameFormat) {
      ++rejected;
      continue;
    }
    for (ir::OpId m : group.members)
      groupOf[m] = groups.size();
    groups.push_back(std::move(group));
  }
  if (groups.empty()) {
    g.notes.push_back(
        "op_fusion: no group of two or more elementwise ops" +
        (rejected ? ", " + std::to_string(rejected) + " groups left unfused at a layout border"
                  : std::string()));
    return false;
  }

  ir::ModelRebuilder b(g);
  size_t fusedOps = 0;
  int ordinal = 0;
  for (ir::OpId v : order) {
    auto at = groupOf.find(v);
    if (at == groupOf.end()) {
      b.copy(v);
      continue;
    }
    const Group& group = groups[at->second];
    if (v != group.root) continue; // emitted with its root
    const ir::OpNode& root = g.model[v];
    ExpressionWriter writer(g, group);
    ir::OpNode fused;
    fused.kind = plan::nameOf(plan::OpKind::Fused);
    fused.name = "fused" + std::to_string(++ordinal);
    fused.where = root.where;
    fused.shape = root.shape;
    fused.dtype = root.dtype;
    fused.memoryFormat = root.memoryFormat;
    fused.expr = writer.write(v, false);
    std::string kinds;
    for (ir::OpId m : group.members)
      kinds += (kinds.empty() ? "" : ",") + g.model[m].kind;
    fused.attrs["ops"] = plan::Scalar::str(kinds);
    fused.attrs["params"] = plan::Scalar::str("");
    fused.attrs["saved"] = plan::Scalar::str(writer.saved());
    std::vector<ir::OpId> inputs;
    for (ir::OpId in : writer.inputs())
      inputs.push_back(b.mapped(in));
    b.map(v, b.add(fused, inputs));
    fusedOps += group.members.size();
  }
  g.model = b.take();
  std::string note = "op_fusion: " + std::to_string(fusedOps) + " ops in " +
                     std::to_string(groups.size()) + " fused groups";
  if (rejected) note += ", " + std::to_string(rejected) + " groups left unfused at a layout border";
  g.notes.push_back(note);
  return true;
}

namespace {
const PassRegistrar kPass([] { return std::make_unique<OpFusionPass>(); });
} // namespace

} // namespace fiver::passes
