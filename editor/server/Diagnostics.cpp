#include "editor/server/Diagnostics.h"

#include "editor/server/Uri.h"

#include <filesystem>

namespace fiver::lsp {

namespace {
DiagnosticSeverity severityOf(Severity s) {
  switch (s) {
  case Severity::Error:
    return DiagnosticSeverity::Error;
  case Severity::Warning:
    return DiagnosticSeverity::Warning;
  case Severity::Note:
    return DiagnosticSeverity::Information;
  }
  return DiagnosticSeverity::Error;
}

// The import of the document through which `file` was loaded, if direct.
std::optional<SourceRange> importOf(const Analysis& analysis, const std::string& file) {
  const ast::File* main = analysis.program().main;
  if (!main) return std::nullopt;
  namespace fs = std::filesystem;
  for (const ast::Import& imp : main->imports) {
    fs::path target = (fs::path(analysis.path()).parent_path() / imp.path).lexically_normal();
    if (target == fs::path(file).lexically_normal()) return imp.range;
  }
  if (!main->imports.empty()) return main->imports.front().range;
  return std::nullopt;
}
} // namespace

LspDiagnostic toLspDiagnostic(const Analysis& analysis, const Diagnostic& d) {
  LspDiagnostic out;
  out.range = analysis.rangeOf(d.range);
  out.severity = severityOf(d.severity);
  out.code = diagCode(d.id);
  out.message = d.message;
  for (const DiagNote& n : d.notes) {
    if (!n.range.valid()) {
      out.message += "\nnote: " + n.message;
      continue;
    }
    std::string file = n.range.begin.file.empty() ? analysis.path() : n.range.begin.file;
    out.relatedInformation.push_back({{uriFromPath(file), analysis.rangeOf(n.range)}, n.message});
  }
  return out;
}

std::vector<LspDiagnostic> documentDiagnostics(const Analysis& analysis) {
  std::vector<LspDiagnostic> out;
  for (const Diagnostic& d : analysis.diagnostics().diagnostics()) {
    bool here = !d.range.valid() || d.range.begin.file == analysis.path();
    LspDiagnostic lsp = toLspDiagnostic(analysis, d);
    if (!here) {
      const std::string& file = d.range.begin.file;
      lsp.relatedInformation.insert(lsp.relatedInformation.begin(),
                                    {{uriFromPath(file), analysis.rangeOf(d.range)}, d.message});
      lsp.message = "in " + file + ":" + std::to_string(d.range.begin.line) + ": " + d.message;
      std::optional<SourceRange> via = importOf(analysis, file);
      lsp.range = via ? analysis.rangeOf(*via) : Range{};
    }
    out.push_back(std::move(lsp));
  }
  return out;
}

} // namespace fiver::lsp
