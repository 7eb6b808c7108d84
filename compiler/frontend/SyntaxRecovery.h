// Recovery after a syntax error. ANTLR's repaired trees are not trusted
// (children go missing); instead the item holding the error — its line, or
// the lines its brackets span, or a whole declaration when the error is in
// its header — is blanked out and the file parsed again. Blanking keeps
// every byte offset, so later errors and the surviving declarations keep
// their exact positions, and each independent error is reported once.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace fiver::frontend {

struct ByteSpan {
  size_t begin = 0, end = 0; // [begin, end)
  bool contains(size_t at) const { return begin <= at && at < end; }
};

// The item around byte `at`: from the start of its line to the end of the
// line where the brackets opened on it close again (at the latest, before a
// line that starts by closing the enclosing block).
ByteSpan itemSpanAt(const std::string& text, size_t at);

// Replaces `span` by spaces, keeping newlines, and keeping each `}` that
// closes a block opened before it, so the blocks around stay whole. Returns false when the span
// held nothing left to blank.
bool blankOut(std::string& text, ByteSpan span);

// The top-level declarations: from their first word to the `}` (or the end
// of the line, for an import) that ends them.
std::vector<ByteSpan> topLevelSpans(const std::string& text);

} // namespace fiver::frontend
