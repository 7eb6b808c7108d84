#include "editor/server/CodeActions.h"

#include "editor/server/Diagnostics.h"

namespace fiver::lsp {

namespace {
bool overlaps(const Range& a, const Range& b) {
  return !(a.end < b.start) && !(b.end < a.start);
}

std::string titleOf(const Analysis& a, const FixIt& f) {
  if (f.range.length == 0) return "Insert '" + f.replacement + "'";
  std::string old = a.text().substr(f.range.begin.offset, f.range.length);
  if (f.replacement.empty()) return "Remove '" + old + "'";
  return "Replace '" + old + "' with '" + f.replacement + "'";
}
} // namespace

std::vector<CodeAction> codeActions(const Analysis& analysis, const std::string& uri, Range range) {
  std::vector<CodeAction> out;
  for (const Diagnostic& d : analysis.diagnostics().diagnostics()) {
    if (d.fixits.empty() || d.range.begin.file != analysis.path()) continue;
    LspDiagnostic lsp = toLspDiagnostic(analysis, d);
    if (!overlaps(lsp.range, range)) continue;
    for (const FixIt& f : d.fixits) {
      if (f.range.valid() && f.range.begin.file != analysis.path()) continue;
      if (f.range.begin.offset + f.range.length > analysis.text().size()) continue;
      CodeAction action;
      action.title = titleOf(analysis, f);
      action.diagnostics = {lsp};
      action.isPreferred = f.applicability == Applicability::MachineApplicable;
      action.edit.changes[uri].push_back({analysis.rangeOf(f.range), f.replacement});
      out.push_back(std::move(action));
    }
  }
  return out;
}

} // namespace fiver::lsp
