#include "compiler/onnx/ImportPeepholes.h"

namespace fiver::onnx_import {

namespace {

// Drops the ops marked dead and renumbers the inputs of the rest.
void compact(std::vector<ImportedOp>& ops, const std::vector<bool>& dead) {
  std::vector<int> newIndex(ops.size(), -1);
  std::vector<ImportedOp> kept;
  for (size_t i = 0; i < ops.size(); ++i) {
    if (dead[i]) continue;
    newIndex[i] = static_cast<int>(kept.size());
    kept.push_back(std::move(ops[i]));
  }
  for (ImportedOp& op : kept)
    for (int& in : op.inputs)
      in = newIndex[static_cast<size_t>(in)];
  ops = std::move(kept);
}

} // namespace

void fuseSilu(std::vector<ImportedOp>& ops) {
  std::vector<int> readers(ops.size(), 0);
  for (const ImportedOp& op : ops)
    for (int in : op.inputs)
      ++readers[static_cast<size_t>(in)];
  std::vector<bool> dead(ops.size(), false);
  bool changed = false;
  for (ImportedOp& op : ops) {
    if (op.kind != "mul" || op.inputs.size() != 2) continue;
    for (int side = 0; side < 2; ++side) {
      const int x = op.inputs[static_cast<size_t>(side)];
      const int gate = op.inputs[static_cast<size_t>(1 - side)];
      const ImportedOp& g = ops[static_cast<size_t>(gate)];
      if (g.kind != "sigmoid" || g.inputs != std::vector<int>{x} || readers[gate] != 1) continue;
      dead[static_cast<size_t>(gate)] = true;
      op.kind = "silu";
      op.inputs = {x};
      changed = true;
      break;
    }
  }
  if (changed) compact(ops, dead);
}

} // namespace fiver::onnx_import
