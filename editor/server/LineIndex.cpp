#include "editor/server/LineIndex.h"

#include <algorithm>

namespace fiver::lsp {

namespace {
// The byte length of the UTF-8 sequence starting with `lead` (1 for stray bytes).
size_t sequenceLength(unsigned char lead) {
  if (lead >= 0xF0) return 4;
  if (lead >= 0xE0) return 3;
  if (lead >= 0xC0) return 2;
  return 1;
}
} // namespace

size_t utf16Length(std::string_view utf8) {
  size_t units = 0;
  for (size_t i = 0; i < utf8.size();) {
    size_t n = sequenceLength(static_cast<unsigned char>(utf8[i]));
    units += n == 4 ? 2 : 1;
    i += n;
  }
  return units;
}

LineIndex::LineIndex(std::string_view text) : text_(text) {
  lineStarts_.push_back(0);
  for (size_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n') lineStarts_.push_back(i + 1);
}

std::string_view LineIndex::lineText(int line) const {
  if (line < 0 || line >= lineCount()) return {};
  size_t begin = lineStarts_[line];
  size_t end = line + 1 < lineCount() ? lineStarts_[line + 1] - 1 : text_.size();
  if (end > begin && text_[end - 1] == '\r') --end;
  return text_.substr(begin, end - begin);
}

size_t LineIndex::offsetAt(Position p) const {
  if (p.line < 0) return 0;
  if (p.line >= lineCount()) return text_.size();
  std::string_view line = lineText(p.line);
  size_t byte = 0;
  int units = 0;
  while (byte < line.size()) {
    size_t n = sequenceLength(static_cast<unsigned char>(line[byte]));
    int width = n == 4 ? 2 : 1;
    if (units + width > p.character) break;
    units += width;
    byte += n;
  }
  return lineStarts_[p.line] + std::min(byte, line.size());
}

Position LineIndex::positionAt(size_t offset) const {
  offset = std::min(offset, text_.size());
  auto it = std::upper_bound(lineStarts_.begin(), lineStarts_.end(), offset);
  int line = static_cast<int>(it - lineStarts_.begin()) - 1;
  std::string_view prefix = text_.substr(lineStarts_[line], offset - lineStarts_[line]);
  return {line, static_cast<int>(utf16Length(prefix))};
}

Range LineIndex::rangeOf(const SourceRange& r) const {
  if (!r.valid()) return {};
  return {positionAt(r.begin.offset), positionAt(r.begin.offset + r.length)};
}

} // namespace fiver::lsp
