#include "tests/composition/ResidualBranchProbes.h"

#include "runtime/model/ResidualSkip.h"

namespace fiver::composition {

namespace {

// The ops `from` reads from, itself included.
std::set<int> ancestors(const std::vector<plan::Op>& ops, int from) {
  std::set<int> seen;
  std::vector<int> pending = {from};
  while (!pending.empty()) {
    const int op = pending.back();
    pending.pop_back();
    if (seen.insert(op).second)
      for (int in : ops[op].inputs)
        pending.push_back(in);
  }
  return seen;
}

} // namespace

std::set<int> branchOps(const std::vector<plan::Op>& ops, int add) {
  const int skip = runtime::residualSkipInput(ops, static_cast<size_t>(add));
  const std::vector<int>& in = ops[add].inputs;
  std::set<int> own = ancestors(ops, in[0] == skip ? in[1] : in[0]);
  for (int op : ancestors(ops, skip))
    own.erase(op);
  return own;
}

std::optional<bool> branchGotGradient(runtime::PlanModel& model, const std::set<int>& branch) {
  std::optional<bool> got;
  for (int op : branch)
    for (const torch::Tensor& p : model->parametersOf(model->ops()[op].name)) {
      if (!p.requires_grad()) continue;
      const bool nonzero = p.grad().defined() && p.grad().ne(0).any().item<bool>();
      got = got.value_or(false) || nonzero;
    }
  return got;
}

} // namespace fiver::composition
