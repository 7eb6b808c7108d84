// The per-kind rule functions the op table (OpKinds.def) names: what they
// are given, and their declarations, generated from the table's rows.
#pragma once

#include "compiler/plan/OpCost.h"
#include "compiler/plan/OpKinds.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fiver::plan {

struct ShapeQuery {
  std::string_view kind; // the op's kind name, for messages
  const ScalarMap& attrs;
  const std::vector<std::vector<int64_t>>& inputs; // never empty
};

struct CostQuery {
  OpKind kind;
  const Op& op;
  const std::vector<std::vector<int64_t>>& inputs;
  double batch;
  double in;  // input elements over the batch, all inputs together
  double out; // output elements over the batch
};

#define FIVER_OP_KIND(Id, name, minIn, maxIn, attrs, flags, flops, resize, shapeRule, costRule)    \
  std::string shapeRule(const ShapeQuery&, std::vector<int64_t>& shape);                           \
  void costRule(const CostQuery&, OpCost&);
#include "compiler/plan/OpKinds.def"
#undef FIVER_OP_KIND

// The comma-separated axis list `key` of a tensor kind (`dims`, `perm`).
std::vector<int64_t> axisList(const ShapeQuery& q, const char* key);

// FLOPs per element of the elementwise op `kind` names (1 for names no
// row has: fused groups list the kinds they replaced).
double elementwiseFlops(std::string_view kind);

} // namespace fiver::plan
