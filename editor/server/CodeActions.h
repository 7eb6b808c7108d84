// Quick fixes: the fix-its the compiler attached to diagnostics in the
// requested range (wrong action -> the declared one, unknown name -> the
// suggestion, missing parameter -> insert it). Certain fixes are preferred.
#pragma once

#include "editor/server/Analysis.h"
#include "editor/server/Protocol.h"

#include <vector>

namespace fiver::lsp {

std::vector<CodeAction> codeActions(const Analysis& analysis, const std::string& uri, Range range);

} // namespace fiver::lsp
