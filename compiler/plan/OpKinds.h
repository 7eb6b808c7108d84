// What the compiler and the runtime know about an op kind without building
// it: one row per kind (OpKinds.def), read by shape inference, the verifiers,
// the cost model, the passes and the runtime's builders. Plans and graphs
// spell a kind as text; opKindFromName is the one way back to the row.
#pragma once

#include "compiler/plan/Plan.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fiver::plan {

enum class OpKind {
#define FIVER_OP_KIND(Id, ...) Id,
#include "compiler/plan/OpKinds.def"
#undef FIVER_OP_KIND
};

inline constexpr size_t kOpKindCount = 0
#define FIVER_OP_KIND(...) +1
#include "compiler/plan/OpKinds.def"
#undef FIVER_OP_KIND
    ;

inline constexpr int kUnboundedInputs = -1;

// What an op kind is, as far as the passes and the cost model care.
enum OpFlag : unsigned {
  kNoFlags = 0,
  kHasParameters = 1u << 0, // owns trainable tensors (freezing, fusion borders, costs)
  kElementwise = 1u << 1,   // one output element per input element, same shape
  kNormalization = 1u << 2, // computes in fp32 inside mixed-precision regions
  kWeightMatrix = 1u << 3,  // a weight matrix that init and pruning methods rewrite
};

// How an op's spatial size follows its input's when the input is resized
// (progressive resizing trains at smaller sizes than the plan records).
enum class OpResize {
  Source,    // the input itself
  Keep,      // keeps its input's H x W
  Window,    // a kernel/stride/padding window: (size + 2p - k) / s + 1
  Subsample, // (size - 1) / stride + 1
  Collapse,  // 1 x 1
  Flatten,   // every element of its input, flat
};

struct ShapeQuery;
struct CostQuery;
struct OpCost;
// Writes the op's output shape; returns what is wrong ("" when nothing is).
using ShapeRule = std::string (*)(const ShapeQuery&, std::vector<int64_t>& shape);
// Fills FLOPs and parameters; opCost derives the memory traffic from them.
using CostRule = void (*)(const CostQuery&, OpCost&);

struct OpKindInfo {
  OpKind kind;
  std::string_view name;
  int minInputs;
  int maxInputs; // kUnboundedInputs: no limit
  std::string_view attrs;
  unsigned flags;
  double flopsPerElement;
  OpResize resize;
  ShapeRule shape;
  CostRule cost;

  bool has(OpFlag flag) const { return (flags & flag) != 0; }
  // The attributes the runtime reads to build the op.
  std::vector<std::string> requiredAttrs() const;
};

const OpKindInfo& info(OpKind kind);

// The kinds' names, header-only so that code which only names kinds (sema's
// layer checks) needs none of the rules.
inline constexpr std::array<std::string_view, kOpKindCount> kOpKindNames = {
#define FIVER_OP_KIND(Id, name, ...) name,
#include "compiler/plan/OpKinds.def"
#undef FIVER_OP_KIND
};

constexpr std::string_view nameOf(OpKind kind) {
  return kOpKindNames[static_cast<size_t>(kind)];
}
// Whether an op's textual kind is `kind`.
constexpr bool isKind(std::string_view name, OpKind kind) {
  return name == nameOf(kind);
}
// The kind a plan or graph names; nullopt for a name no row has.
constexpr std::optional<OpKind> opKindFromName(std::string_view name) {
  for (size_t i = 0; i < kOpKindNames.size(); ++i)
    if (kOpKindNames[i] == name) return static_cast<OpKind>(i);
  return std::nullopt;
}
// Every kind, in the table's order.
std::vector<OpKind> allOpKinds();

// Whether the kind `name` has `flag`; false for unknown names.
bool hasFlag(std::string_view name, OpFlag flag);

// Ops that own trainable tensors (layer freezing, fusion borders, costs).
inline bool hasParameters(std::string_view kind) {
  return hasFlag(kind, kHasParameters);
}

// Normalizations: they compute in fp32 inside mixed-precision regions.
inline bool isNormalization(std::string_view kind) {
  return hasFlag(kind, kNormalization);
}

// Convs and linear layers whose weight matrix is their own: the ones that
// initialization and pruning methods rewrite. A linear tied to an embedding
// (weight_tying) reads the embedding's token table, which is not a layer's
// weight to re-initialize or prune.
inline bool ownsWeightMatrix(const Op& op) {
  return hasFlag(op.kind, kWeightMatrix) && getString(op.attrs, "tied_to", "").empty();
}

} // namespace fiver::plan
