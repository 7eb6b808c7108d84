// The index of method cards (docs/methods/README.md): its taxonomy table,
// counts and card list restate the declarations, so they are generated.
#pragma once

#include "compiler/sema/MethodSignature.h"

#include <string>
#include <vector>

namespace fiver {

// `readme` with its "## Taxonomy" table, "## Counts" tables, method total
// and "## Cards" list rebuilt from `methods` (sorted by name); the prose
// between them is kept.
std::string regenerateMethodIndex(const std::vector<MethodSignature>& methods,
                                  const std::string& readme);

} // namespace fiver
