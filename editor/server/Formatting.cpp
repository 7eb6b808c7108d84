#include "editor/server/Formatting.h"

#include "compiler/format/Formatter.h"
#include "editor/server/LineIndex.h"

#include <optional>

namespace fiver::lsp {

namespace {
std::optional<std::string> formatted(const std::string& path, const std::string& text) {
  DiagnosticEngine diags;
  return formatSource(path, text, diags);
}

std::vector<int> nonBlankLines(const LineIndex& lines) {
  std::vector<int> out;
  for (int i = 0; i < lines.lineCount(); ++i)
    if (lines.lineText(i).find_first_not_of(" \t") != std::string_view::npos) out.push_back(i);
  return out;
}
} // namespace

std::vector<TextEdit> formatDocument(const std::string& path, const std::string& text) {
  std::optional<std::string> out = formatted(path, text);
  if (!out || *out == text) return {};
  LineIndex lines(text);
  return {{{{0, 0}, lines.positionAt(text.size())}, *out}};
}

std::vector<TextEdit> formatRange(const std::string& path, const std::string& text, Range range) {
  std::optional<std::string> out = formatted(path, text);
  if (!out || *out == text) return {};
  LineIndex before(text), after(*out);
  std::vector<int> from = nonBlankLines(before), to = nonBlankLines(after);
  if (from.size() != to.size()) return formatDocument(path, text);
  std::vector<TextEdit> edits;
  int lastLine = range.end.character == 0 && range.end.line > range.start.line ? range.end.line - 1
                                                                               : range.end.line;
  for (size_t i = 0; i < from.size(); ++i) {
    int line = from[i];
    if (line < range.start.line || line > lastLine) continue;
    std::string_view old = before.lineText(line), now = after.lineText(to[i]);
    if (old == now) continue;
    edits.push_back({{{line, 0}, {line, static_cast<int>(utf16Length(old))}}, std::string(now)});
  }
  return edits;
}

} // namespace fiver::lsp
