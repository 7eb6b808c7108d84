// What the compiler and the runtime need to know about an op kind without
// building it: one place, so that a new kind is not missed by one of them.
#pragma once

#include "compiler/plan/Plan.h"

#include <string>

namespace fiver::plan {

// Ops that own trainable tensors (layer freezing, fusion borders, costs).
inline bool hasParameters(const std::string& kind) {
  return kind == "conv" || kind == "bn" || kind == "linear" || kind == "squeeze_excite" ||
         kind == "embedding" || kind == "layernorm" || kind == "causal_attention";
}

// Normalizations: they compute in fp32 inside mixed-precision regions.
inline bool isNormalization(const std::string& kind) {
  return kind == "bn" || kind == "layernorm";
}

// Convs and linear layers whose weight matrix is their own: the ones that
// initialization and pruning methods rewrite. A linear tied to an embedding
// (weight_tying) reads the embedding's token table, which is not a layer's
// weight to re-initialize or prune.
inline bool ownsWeightMatrix(const Op& op) {
  return op.kind == "conv" || (op.kind == "linear" && getString(op.attrs, "tied_to", "").empty());
}

} // namespace fiver::plan
