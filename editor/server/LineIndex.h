// Converts between LSP positions (line, UTF-16 code unit) and the byte
// offsets the compiler reports. Positions past a line's end clamp to it, as
// the protocol asks; a position inside a surrogate pair rounds down.
#pragma once

#include "compiler/diag/SourceLocation.h"
#include "editor/server/Protocol.h"

#include <string>
#include <string_view>
#include <vector>

namespace fiver::lsp {

class LineIndex {
public:
  explicit LineIndex(std::string_view text);

  size_t offsetAt(Position p) const;
  Position positionAt(size_t offset) const;
  // A compiler range (byte offset and length) as an LSP range.
  Range rangeOf(const SourceRange& r) const;
  int lineCount() const { return static_cast<int>(lineStarts_.size()); }
  // The bytes of a 0-based line without its line break.
  std::string_view lineText(int line) const;

private:
  std::string_view text_;
  std::vector<size_t> lineStarts_;
};

// UTF-16 code units in a UTF-8 string (4-byte sequences count 2).
size_t utf16Length(std::string_view utf8);

} // namespace fiver::lsp
