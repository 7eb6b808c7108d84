// Cross references: go to definition, find references and rename, over the
// document, its imports and the standard library.
#pragma once

#include "editor/server/Analysis.h"
#include "editor/server/Protocol.h"

#include <optional>
#include <string>
#include <vector>

namespace fiver::lsp {

std::vector<Location> definition(const Analysis& analysis, Position position);
std::vector<Location> references(const Analysis& analysis, Position position,
                                 bool includeDeclaration);
// Throws LspError when the name under the cursor cannot be renamed (nothing
// there, a builtin, declared in the stdlib, or an invalid new name).
WorkspaceEdit rename(const Analysis& analysis, Position position, const std::string& newName);

} // namespace fiver::lsp
