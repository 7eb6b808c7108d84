#include "runtime/model/ResidualSkip.h"

#include "compiler/plan/LowRankAdapters.h"

#include <algorithm>

namespace fiver::runtime {

namespace {

// Every op `from` depends on, itself included (op inputs point backwards).
std::vector<bool> ancestors(const std::vector<plan::Op>& ops, int from) {
  std::vector<bool> seen(ops.size(), false);
  std::vector<int> todo = {from};
  while (!todo.empty()) {
    const int op = todo.back();
    todo.pop_back();
    if (op < 0 || static_cast<size_t>(op) >= ops.size() || seen[op]) continue;
    seen[op] = true;
    todo.insert(todo.end(), ops[op].inputs.begin(), ops[op].inputs.end());
  }
  return seen;
}

} // namespace

bool isResidualAdd(const std::vector<plan::Op>& ops, size_t add) {
  const std::vector<int>& in = ops[add].inputs;
  if (in.size() != 2 || in[0] == in[1]) return false;
  // A low-rank adapter's join (lora) adds an update to its layer, no block.
  if (ops[add].attrs.count(std::string(plan::kAdapterOf))) return false;
  const std::vector<bool> fromA = ancestors(ops, in[0]), fromB = ancestors(ops, in[1]);
  for (size_t op = 0; op < ops.size(); ++op)
    if (fromA[op] && fromB[op]) return true;
  return false;
}

int residualSkipInput(const std::vector<plan::Op>& ops, size_t add) {
  const int a = std::min(ops[add].inputs[0], ops[add].inputs[1]);
  const int b = std::max(ops[add].inputs[0], ops[add].inputs[1]);
  const std::vector<bool> fromA = ancestors(ops, a), fromB = ancestors(ops, b);
  long ownA = 0, ownB = 0;
  for (size_t op = 0; op < ops.size(); ++op) {
    ownA += fromA[op] && !fromB[op];
    ownB += fromB[op] && !fromA[op];
  }
  return ownB < ownA ? b : a;
}

} // namespace fiver::runtime
