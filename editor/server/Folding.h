// Folding ranges: every declaration's block, nested model blocks, and
// multi-line comments.
#pragma once

#include "editor/server/Analysis.h"
#include "editor/server/Protocol.h"

#include <vector>

namespace fiver::lsp {

std::vector<FoldingRange> foldingRanges(const Analysis& analysis);

} // namespace fiver::lsp
