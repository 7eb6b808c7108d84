#include "compiler/diag/Diagnostic.h"

#include "compiler/diag/SourceManager.h"

#include <algorithm>
#include <ostream>

namespace fiver {

namespace {
struct DiagInfo {
  const char* code;
  Severity severity;
  const char* summary;
};
constexpr DiagInfo kDiagInfo[] = {
#define DIAG(Id, Code, Sev, Summary) {Code, Severity::Sev, Summary},
#include "compiler/diag/DiagnosticCodes.def"
#undef DIAG
};

// Prints the quoted source line and a caret line under the span.
void renderSnippet(std::ostream& os, const SourceRange& r, const SourceManager& sm) {
  std::string_view text = sm.line(r.begin.file, r.begin.line);
  if (text.empty() && r.begin.column > 1) return;
  std::string lineNo = std::to_string(r.begin.line);
  std::string gutter(lineNo.size(), ' ');
  os << gutter << " |\n" << lineNo << " | " << text << "\n" << gutter << " | ";
  uint32_t col = r.begin.column == 0 ? 1 : r.begin.column;
  for (uint32_t i = 1; i < col; ++i)
    os << (i - 1 < text.size() && text[i - 1] == '\t' ? '\t' : ' ');
  size_t room = text.size() >= col ? text.size() - col + 1 : 1;
  size_t len = std::max<size_t>(1, std::min<size_t>(r.length, room));
  os << '^' << std::string(len - 1, '~') << "\n";
}

void renderLocation(std::ostream& os, const SourceRange& r) {
  if (!r.valid()) return;
  os << r.begin.file << ":" << r.begin.line << ":" << r.begin.column << ": ";
}
} // namespace

const char* diagCode(DiagId id) {
  return kDiagInfo[static_cast<int>(id)].code;
}
Severity diagSeverity(DiagId id) {
  return kDiagInfo[static_cast<int>(id)].severity;
}
const char* diagSummary(DiagId id) {
  return kDiagInfo[static_cast<int>(id)].summary;
}

const char* severityName(Severity s) {
  switch (s) {
  case Severity::Error:
    return "error";
  case Severity::Warning:
    return "warning";
  case Severity::Note:
    return "note";
  }
  return "error";
}

Diagnostic& DiagnosticEngine::report(DiagId id, SourceRange range, std::string message) {
  diags_.push_back(Diagnostic{id, diagSeverity(id), std::move(message), std::move(range), {}, {}});
  return diags_.back();
}

bool DiagnosticEngine::hasErrors() const {
  return errorCount() > 0;
}

size_t DiagnosticEngine::errorCount() const {
  return std::count_if(diags_.begin(), diags_.end(),
                       [](const Diagnostic& d) { return d.severity == Severity::Error; });
}

void renderDiagnostic(std::ostream& os, const Diagnostic& d, const SourceManager& sm) {
  renderLocation(os, d.range);
  os << severityName(d.severity) << "[" << diagCode(d.id) << "]: " << d.message << "\n";
  if (d.range.valid()) renderSnippet(os, d.range, sm);
  for (const DiagNote& n : d.notes) {
    renderLocation(os, n.range);
    os << "note: " << n.message << "\n";
    if (n.range.valid()) renderSnippet(os, n.range, sm);
  }
  for (const FixIt& f : d.fixits) {
    os << "help: ";
    if (f.replacement.empty())
      os << "remove this";
    else
      os << "replace with `" << f.replacement << "`";
    if (f.applicability == Applicability::MaybeIncorrect) os << " (maybe incorrect)";
    os << "\n";
  }
}

void renderDiagnostics(std::ostream& os, const DiagnosticEngine& engine, const SourceManager& sm) {
  // In source order, whatever order the checks ran in.
  std::vector<const Diagnostic*> sorted;
  for (const Diagnostic& d : engine.diagnostics())
    sorted.push_back(&d);
  std::stable_sort(sorted.begin(), sorted.end(), [](const Diagnostic* a, const Diagnostic* b) {
    if (a->range.begin.file != b->range.begin.file)
      return a->range.begin.file < b->range.begin.file;
    return a->range.begin.offset < b->range.begin.offset;
  });
  for (const Diagnostic* d : sorted)
    renderDiagnostic(os, *d, sm);
  size_t errors = engine.errorCount();
  if (errors > 0) os << errors << (errors == 1 ? " error" : " errors") << " generated.\n";
}

} // namespace fiver
