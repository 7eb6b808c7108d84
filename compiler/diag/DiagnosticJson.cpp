#include "compiler/diag/DiagnosticJson.h"

#include <nlohmann/json.hpp>

#include <ostream>

namespace fiver {

namespace {
nlohmann::json rangeJson(const SourceRange& r) {
  if (!r.valid()) return nullptr;
  return {{"file", r.begin.file},
          {"line", r.begin.line},
          {"column", r.begin.column},
          {"offset", r.begin.offset},
          {"length", r.length}};
}
} // namespace

void writeDiagnosticsJson(std::ostream& os, const DiagnosticEngine& engine) {
  nlohmann::json list = nlohmann::json::array();
  size_t warnings = 0;
  for (const Diagnostic& d : engine.diagnostics()) {
    warnings += d.severity == Severity::Warning;
    nlohmann::json notes = nlohmann::json::array();
    for (const DiagNote& n : d.notes)
      notes.push_back({{"message", n.message}, {"range", rangeJson(n.range)}});
    nlohmann::json fixits = nlohmann::json::array();
    for (const FixIt& f : d.fixits)
      fixits.push_back({{"range", rangeJson(f.range)},
                        {"replacement", f.replacement},
                        {"applicability", f.applicability == Applicability::MachineApplicable
                                              ? "machine-applicable"
                                              : "maybe-incorrect"}});
    list.push_back({{"code", diagCode(d.id)},
                    {"severity", severityName(d.severity)},
                    {"message", d.message},
                    {"range", rangeJson(d.range)},
                    {"notes", notes},
                    {"fixits", fixits}});
  }
  os << nlohmann::json{{"diagnostics", list},
                       {"errors", engine.errorCount()},
                       {"warnings", warnings}}
            .dump()
     << "\n";
}

} // namespace fiver
