// Where the batch is in an imported tensor. ONNX graphs move the batch
// axis (nn.MultiheadAttention computes on [T, B, E] and folds the batch
// into the heads, [B * H, T, d]); FiveR's ops keep it first. So each
// imported value records its ONNX axes as the sizes they are made of
// (outermost first, kBatchAtom for the batch), and the runtime holds the
// same elements as [B, the other sizes in order]: reshapes and transposes
// that only move the batch become no ops, the others act on the axes after
// the batch. Internal to compiler/onnx.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace fiver::onnx_import {

inline constexpr int64_t kBatchAtom = -1;

// One ONNX axis: a plain size ({64}), or the batch merged with sizes
// ({kBatchAtom, 2} for B * 2).
using LayoutAxis = std::vector<int64_t>;
using Layout = std::vector<LayoutAxis>;

// A size of a shape computed at import: `coef`, times the batch when `batch`.
struct SymbolicDim {
  int64_t coef = 0;
  bool batch = false;
  bool operator==(const SymbolicDim&) const = default;
};

// [B, shape...]: the layout of FiveR's ops.
Layout batchFirst(const std::vector<int64_t>& shape);
bool isBatchFirst(const Layout& layout);
// The runtime shape: the sizes after the batch, in order.
std::vector<int64_t> runtimeShape(const Layout& layout);
// The ONNX shape, the batch symbolic.
std::vector<SymbolicDim> onnxDims(const Layout& layout);
// The runtime axis (after the batch) of ONNX axis `axis` (negative counts
// from the end) when that axis is one plain size; nullopt otherwise.
std::optional<int64_t> runtimeAxis(const Layout& layout, int64_t axis);

// The layout after an ONNX Reshape to `target` (0 copies an axis, -1 is
// inferred); nullopt, and why, when the batch would be split or reordered.
std::optional<Layout> reshaped(const Layout& in, std::vector<SymbolicDim> target, std::string& why);
// The layout after an ONNX Transpose, and the permutation of the runtime
// axes after the batch that computes it.
Layout transposed(const Layout& in, const std::vector<int64_t>& perm,
                  std::vector<int64_t>& runtimePerm);

} // namespace fiver::onnx_import
