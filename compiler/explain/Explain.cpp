#include "compiler/explain/Explain.h"

#include "compiler/diag/Diagnostic.h"
#include "compiler/diag/SourceManager.h"
#include "compiler/sema/Check.h"
#include "compiler/sema/HookPhase.h"
#include "compiler/sema/MethodSignature.h"
#include "compiler/sema/Program.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <map>
#include <ostream>

namespace fiver {

namespace {
constexpr DiagId kAllIds[] = {
#define DIAG(Id, Code, Sev, Summary) DiagId::Id,
#include "compiler/diag/DiagnosticCodes.def"
#undef DIAG
};

std::string docsDir() {
  if (const char* env = std::getenv("FIVER_DOCS")) return env;
  return FIVER_DOCS_DIR;
}
bool explainCode(const std::string& code, std::ostream& out) {
  std::string wanted = code;
  std::transform(wanted.begin(), wanted.end(), wanted.begin(),
                 [](unsigned char c) { return std::toupper(c); });
  for (DiagId id : kAllIds) {
    if (wanted != diagCode(id)) continue;
    out << wanted << " (" << severityName(diagSeverity(id)) << "): " << diagSummary(id) << "\n";
    std::ifstream doc(docsDir() + "/errors/" + wanted + ".md");
    if (doc) out << "\n" << doc.rdbuf();
    return true;
  }
  return false;
}

std::map<std::string, MethodSignature> stdlibMethods(const std::string& stdlibDir,
                                                     std::vector<std::string>& files) {
  SourceManager sm;
  DiagnosticEngine diags;
  static Program program; // the signatures point into its AST
  program = loadProgram("<explain>", std::string(), resolveStdlibDir(stdlibDir), sm, diags);
  std::map<std::string, MethodSignature> out;
  for (const auto& [name, decl] : program.methods)
    if (auto sig = checkMethodDecl(*decl, diags)) out.emplace(name, std::move(*sig));
  for (const auto& [name, decl] : program.methods)
    files.push_back(decl->name.range.begin.file);
  return out;
}

void printCard(const MethodSignature& m, std::ostream& out) {
  out << m.name << " : ";
  for (size_t i = 0; i < m.triples.size(); ++i)
    out << (i ? " | " : "") << toString(m.triples[i])
        << (m.isDefaultFor(m.triples[i]) ? " (the cell's default)" : "");
  out << "\n\n";
  if (!m.decl->survey.empty()) out << "survey: " << m.decl->survey << "\n\n";
  if (!m.decl->doc.empty()) out << m.decl->doc << "\n\n";
  out << "parameters:\n";
  if (m.params.empty()) out << "  (none)\n";
  for (const ParamSpec& p : m.params) {
    out << "  " << p.name << ": " << p.type;
    if (p.defaultValue) out << " = " << toString(*p.defaultValue);
    if (p.low || p.high) {
      out << " in [" << (p.low ? toString(Value::num(*p.low)) : "-inf") << ", "
          << (p.high ? toString(Value::num(*p.high)) : "inf") << "]";
    }
    out << "\n";
  }
  auto list = [&](const char* label, const std::vector<std::string>& items) {
    if (items.empty()) return;
    out << label;
    for (size_t i = 0; i < items.size(); ++i)
      out << (i ? ", " : "") << items[i];
    out << "\n";
  };
  list("reduces: ", m.effects);
  list("passes: ", m.passes);
  list("runtime hooks: ", m.hooks);
  if (m.phaseRank >= 0)
    out << "phase: " << m.phase << " (" << hookPhases()[m.phaseRank].meaning << ")\n";
  list("runs after: ", m.after);
  list("conflicts with: ", conflictsText(m));
  if (!m.decl->cite.empty()) out << "cite: " << m.decl->cite << "\n";
  out << "declared at " << m.decl->name.range.begin.file << ":" << m.decl->name.range.begin.line
      << "\n";
}

// Rows: actions; columns: components; each cell lists its methods ("-" when
// the stdlib has none: the survey's open opportunities).
void printTaxonomy(const std::map<std::string, MethodSignature>& methods, std::ostream& out) {
  const Action actions[] = {Action::Remove, Action::Restrict, Action::Reorder, Action::Replace,
                            Action::Retrofit};
  const Component components[] = {Component::ModelParameters,   Component::Architecture,
                                  Component::TrainingData,      Component::DerivedData,
                                  Component::TrainingObjective, Component::TrainingAlgorithm};
  out << "| action \\ component |";
  for (Component c : components)
    out << " " << toString(c) << " |";
  out << "\n|---|---|---|---|---|---|---|\n";
  for (Action a : actions) {
    out << "| " << toString(a) << " |";
    for (Component c : components) {
      std::string cell;
      for (const auto& [name, m] : methods)
        for (const Triple& t : m.triples)
          if (t.action == a && t.component == c) {
            cell += (cell.empty() ? "" : ", ") + name;
            break;
          }
      out << " " << (cell.empty() ? "-" : cell) << " |";
    }
    out << "\n";
  }
}

} // namespace

std::map<std::string, MethodSignature> loadStdlibMethods(const std::string& stdlibDir) {
  std::vector<std::string> files;
  return stdlibMethods(stdlibDir, files);
}

int explain(const std::string& what, const std::string& stdlibDir, std::ostream& out,
            std::ostream& err) {
  if (!what.empty() && explainCode(what, out)) return 0;
  std::vector<std::string> files;
  std::map<std::string, MethodSignature> methods = stdlibMethods(stdlibDir, files);
  if (what.empty()) {
    printTaxonomy(methods, out);
    return 0;
  }
  if (auto it = methods.find(what); it != methods.end()) {
    printCard(it->second, out);
    // The long-form card (technical details, interactions), when installed.
    if (std::ifstream card(docsDir() + "/methods/" + what + ".md"); card)
      out << "\n" << card.rdbuf();
    return 0;
  }
  err << "5rc: error: '" << what << "' is neither a diagnostic code nor a method\n";
  return 1;
}

} // namespace fiver
