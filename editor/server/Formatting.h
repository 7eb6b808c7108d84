// Formatting with the `5rc fmt` engine. A file that does not parse is left
// alone (no edits), as `5rc fmt` leaves it.
#pragma once

#include "editor/server/Protocol.h"

#include <string>
#include <vector>

namespace fiver::lsp {

std::vector<TextEdit> formatDocument(const std::string& path, const std::string& text);
// Only the lines of `range` change. The formatter keeps the author's line
// breaks, so the non-blank lines of the input and output pair up in order.
std::vector<TextEdit> formatRange(const std::string& path, const std::string& text, Range range);

} // namespace fiver::lsp
