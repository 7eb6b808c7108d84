// The outline of a document: recipes (with their settings and methods),
// methods (with their parameters), models, tasks and studies.
#pragma once

#include "editor/server/Analysis.h"
#include "editor/server/Protocol.h"

#include <vector>

namespace fiver::lsp {

std::vector<DocumentSymbol> documentSymbols(const Analysis& analysis);

} // namespace fiver::lsp
