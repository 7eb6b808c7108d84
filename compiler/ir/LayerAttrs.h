// The attributes an op takes from the model layer that writes it: one rule
// per op kind that a model may name as a layer, with defaults as in sema's
// layer table for specs that leave them out. Kinds only passes make (input,
// add, fused, blur, squeeze_excite) take none.
#pragma once

#include "compiler/plan/OpKinds.h"
#include "compiler/sema/CheckedRecipe.h"

#include <string>
#include <vector>

namespace fiver::ir {

struct LayerSite {
  const LayerSpec& layer;
  const std::string& inputKind;           // the kind of the op the layer reads
  const std::vector<int64_t>& inputShape; // its shape
  const TaskSpec& task;
};

// Fills `attrs` for a layer of kind `kind`; returns why the layer cannot
// stand where it is ("" when it can).
std::string layerAttrs(plan::OpKind kind, const LayerSite& site, plan::ScalarMap& attrs);

} // namespace fiver::ir
