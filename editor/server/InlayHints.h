// Inlay hints: after each method call written in a recipe, the parameters it
// leaves at their defaults, resolved from the method's declaration, so the
// reader sees every value the method will run with without opening its card;
// and after each step-placed method, the steps it acts on in the schedule.
#pragma once

#include "editor/server/Analysis.h"
#include "editor/server/Protocol.h"

namespace fiver::lsp {

// LSP `InlayHint[]` for the document's recipe lines that start inside `range`.
json inlayHints(const Analysis& analysis, const Range& range);

} // namespace fiver::lsp
