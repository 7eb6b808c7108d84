// Workspace symbols: the recipes, methods, models, tasks and studies that
// the open documents' programs declare (their imports and the stdlib
// included), matched against the query by name.
#pragma once

#include "editor/server/Analysis.h"
#include "editor/server/Protocol.h"

#include <memory>
#include <string>
#include <vector>

namespace fiver::lsp {

// `SymbolInformation[]`, sorted by name; a declaration seen by several
// documents is listed once. An empty query matches every name; otherwise
// names containing it, ignoring case.
json workspaceSymbols(const std::vector<std::shared_ptr<const Analysis>>& analyses,
                      const std::string& query);

} // namespace fiver::lsp
