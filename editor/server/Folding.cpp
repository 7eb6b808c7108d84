#include "editor/server/Folding.h"

namespace fiver::lsp {

namespace {
void addBlock(const Analysis& a, const SourceRange& r, std::vector<FoldingRange>& out) {
  if (!r.valid()) return;
  Range range = a.rangeOf(r);
  // The closing brace's line stays visible.
  if (range.end.line - 1 > range.start.line)
    out.push_back({range.start.line, range.end.line - 1, ""});
}

void addLayers(const Analysis& a, const std::vector<ast::Layer>& layers,
               std::vector<FoldingRange>& out) {
  for (const ast::Layer& l : layers) {
    if (l.kind == ast::Layer::Kind::Simple) continue;
    addBlock(a, l.range, out);
    addLayers(a, l.body, out);
    addLayers(a, l.shortcut, out);
  }
}

// Runs of `//` lines and `/* */` blocks spanning lines.
void addComments(const Analysis& a, std::vector<FoldingRange>& out) {
  const LineIndex& lines = a.lines();
  int runStart = -1;
  for (int i = 0; i <= lines.lineCount(); ++i) {
    std::string_view line = i < lines.lineCount() ? lines.lineText(i) : std::string_view();
    size_t first = line.find_first_not_of(" \t");
    bool comment = first != std::string_view::npos && line.substr(first, 2) == "//";
    if (comment && runStart < 0) runStart = i;
    if (!comment && runStart >= 0) {
      if (i - 1 > runStart) out.push_back({runStart, i - 1, "comment"});
      runStart = -1;
    }
  }
  const std::string& text = a.text();
  for (size_t p = text.find("/*"); p != std::string::npos; p = text.find("/*", p + 2)) {
    size_t end = text.find("*/", p + 2);
    if (end == std::string::npos) break;
    int from = lines.positionAt(p).line, to = lines.positionAt(end).line;
    if (to > from) out.push_back({from, to, "comment"});
    p = end;
  }
}
} // namespace

std::vector<FoldingRange> foldingRanges(const Analysis& a) {
  std::vector<FoldingRange> out;
  const ast::File* file = a.program().main;
  if (file) {
    for (const ast::Recipe& r : file->recipes)
      addBlock(a, r.range, out);
    for (const ast::MethodDecl& m : file->methods)
      addBlock(a, m.range, out);
    for (const ast::ModelDecl& m : file->models) {
      addBlock(a, m.range, out);
      addLayers(a, m.layers, out);
    }
    for (const ast::TaskDecl& t : file->tasks)
      addBlock(a, t.range, out);
    for (const ast::StudyDecl& s : file->studies)
      addBlock(a, s.range, out);
  }
  addComments(a, out);
  return out;
}

} // namespace fiver::lsp
