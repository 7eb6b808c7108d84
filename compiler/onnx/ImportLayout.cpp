#include "compiler/onnx/ImportLayout.h"

#include <algorithm>

namespace fiver::onnx_import {

namespace {

bool hasBatch(const LayoutAxis& axis) {
  return std::find(axis.begin(), axis.end(), kBatchAtom) != axis.end();
}

int64_t plainProduct(const LayoutAxis& axis) {
  int64_t n = 1;
  for (int64_t atom : axis)
    if (atom != kBatchAtom) n *= atom;
  return n;
}

// 0 copies the input's axis; -1 takes what the other sizes leave.
bool resolveTarget(const Layout& in, std::vector<SymbolicDim>& target, std::string& why) {
  int64_t total = 1, known = 1;
  for (const LayoutAxis& axis : in)
    total *= plainProduct(axis);
  const std::vector<SymbolicDim> dims = onnxDims(in);
  int inferred = -1;
  bool batchPlaced = false;
  for (size_t i = 0; i < target.size(); ++i) {
    SymbolicDim& d = target[i];
    if (d.coef == 0 && !d.batch && i < dims.size()) d = dims[i];
    if (d.coef == -1 && !d.batch) {
      if (inferred >= 0) return why = "the target shape infers two sizes", false;
      inferred = static_cast<int>(i);
      continue;
    }
    if (d.coef <= 0) return why = "the target shape has a size below one", false;
    known *= d.coef;
    batchPlaced |= d.batch;
  }
  if (inferred >= 0) {
    if (known == 0 || total % known != 0)
      return why = "the inferred size does not divide the elements", false;
    target[static_cast<size_t>(inferred)] = SymbolicDim{total / known, !batchPlaced};
  }
  return true;
}

// Takes the sizes of `target` from `atoms`, front first, splitting a
// plain size where the target needs part of it.
bool regroup(std::vector<int64_t> atoms, const std::vector<SymbolicDim>& target, Layout& out,
             std::string& why) {
  size_t next = 0;
  for (const SymbolicDim& d : target) {
    LayoutAxis axis;
    int64_t remaining = d.coef;
    bool needBatch = d.batch;
    while ((remaining > 1 || needBatch) && next < atoms.size()) {
      int64_t& atom = atoms[next];
      if (atom == kBatchAtom) {
        if (!needBatch) break;
        axis.push_back(kBatchAtom);
        needBatch = false;
        ++next;
      } else if (remaining == 1) {
        break; // the batch comes later: it would move
      } else if (remaining % atom == 0) {
        axis.push_back(atom);
        remaining /= atom;
        ++next;
      } else if (atom % remaining == 0) {
        axis.push_back(remaining);
        atom /= remaining;
        remaining = 1;
      } else {
        break;
      }
    }
    if (remaining != 1 || needBatch)
      return why = "the new shape splits or reorders the batch axis", false;
    // A plain axis is one size; an axis with the batch keeps its parts.
    if (!hasBatch(axis)) axis = {plainProduct(axis)};
    axis.erase(std::remove(axis.begin(), axis.end(), int64_t{1}), axis.end());
    if (axis.empty()) axis = {1};
    out.push_back(std::move(axis));
  }
  if (next != atoms.size()) return why = "the new shape has fewer elements", false;
  return true;
}

} // namespace

Layout batchFirst(const std::vector<int64_t>& shape) {
  Layout layout = {{kBatchAtom}};
  for (int64_t d : shape)
    layout.push_back({d});
  return layout;
}

bool isBatchFirst(const Layout& layout) {
  if (layout.empty() || layout[0] != LayoutAxis{kBatchAtom}) return false;
  return std::all_of(layout.begin() + 1, layout.end(),
                     [](const LayoutAxis& a) { return a.size() == 1 && a[0] != kBatchAtom; });
}

std::vector<int64_t> runtimeShape(const Layout& layout) {
  std::vector<int64_t> shape;
  for (const LayoutAxis& axis : layout)
    for (int64_t atom : axis)
      if (atom != kBatchAtom) shape.push_back(atom);
  return shape;
}

std::vector<SymbolicDim> onnxDims(const Layout& layout) {
  std::vector<SymbolicDim> dims;
  for (const LayoutAxis& axis : layout)
    dims.push_back(SymbolicDim{plainProduct(axis), hasBatch(axis)});
  return dims;
}

std::optional<int64_t> runtimeAxis(const Layout& layout, int64_t axis) {
  const auto rank = static_cast<int64_t>(layout.size());
  if (axis < 0) axis += rank;
  if (axis < 0 || axis >= rank) return std::nullopt;
  const LayoutAxis& chosen = layout[static_cast<size_t>(axis)];
  if (chosen.size() != 1 || chosen[0] == kBatchAtom) return std::nullopt;
  int64_t before = 0;
  for (int64_t i = 0; i < axis; ++i)
    for (int64_t atom : layout[static_cast<size_t>(i)])
      before += atom != kBatchAtom;
  return before;
}

std::optional<Layout> reshaped(const Layout& in, std::vector<SymbolicDim> target,
                               std::string& why) {
  if (!resolveTarget(in, target, why)) return std::nullopt;
  std::vector<int64_t> atoms;
  for (const LayoutAxis& axis : in)
    for (int64_t atom : axis)
      if (atom != 1) atoms.push_back(atom);
  Layout out;
  if (!regroup(atoms, target, out, why)) return std::nullopt;
  return out;
}

Layout transposed(const Layout& in, const std::vector<int64_t>& perm,
                  std::vector<int64_t>& runtimePerm) {
  // The runtime axes each ONNX axis holds, in order.
  std::vector<std::vector<int64_t>> held;
  int64_t next = 0;
  for (const LayoutAxis& axis : in) {
    held.emplace_back();
    for (int64_t atom : axis)
      if (atom != kBatchAtom) held.back().push_back(next++);
  }
  Layout out;
  runtimePerm.clear();
  for (int64_t p : perm) {
    out.push_back(in[static_cast<size_t>(p)]);
    for (int64_t r : held[static_cast<size_t>(p)])
      runtimePerm.push_back(r);
  }
  return out;
}

} // namespace fiver::onnx_import
