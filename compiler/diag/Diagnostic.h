// Diagnostics: level, stable code, a message that stands on its own, a primary
// span, secondary notes, and fix-its (only when the fix is certain or flagged as
// maybe-incorrect). The engine collects them; rendering is separate so that the
// CLI (caret output) and the language server (LSP JSON) share one source.
#pragma once

#include "compiler/diag/SourceLocation.h"

#include <iosfwd>
#include <string>
#include <vector>

namespace fiver {

enum class Severity { Error, Warning, Note };

enum class DiagId {
#define DIAG(Id, Code, Sev, Summary) Id,
#include "compiler/diag/DiagnosticCodes.def"
#undef DIAG
};

const char* diagCode(DiagId id);
Severity diagSeverity(DiagId id);
const char* diagSummary(DiagId id);
const char* severityName(Severity s);

enum class Applicability { MachineApplicable, MaybeIncorrect };

struct FixIt {
  SourceRange range; // text to replace (length 0 inserts)
  std::string replacement;
  Applicability applicability = Applicability::MaybeIncorrect;
};

struct DiagNote {
  SourceRange range; // may be invalid: a note without a location
  std::string message;
};

struct Diagnostic {
  DiagId id;
  Severity severity;
  std::string message;
  SourceRange range;
  std::vector<DiagNote> notes;
  std::vector<FixIt> fixits;
};

class SourceManager;

class DiagnosticEngine {
public:
  // Reports a diagnostic and returns it so callers can attach notes and fix-its.
  Diagnostic& report(DiagId id, SourceRange range, std::string message);

  bool hasErrors() const;
  size_t errorCount() const;
  const std::vector<Diagnostic>& diagnostics() const { return diags_; }
  void clear() { diags_.clear(); }

private:
  std::vector<Diagnostic> diags_;
};

// Renders `file:line:col: error[E0200]: message`, the source line, a caret
// under the span, then notes and fix-it suggestions (rustc/clang style).
void renderDiagnostic(std::ostream& os, const Diagnostic& d, const SourceManager& sm);
void renderDiagnostics(std::ostream& os, const DiagnosticEngine& engine, const SourceManager& sm);

} // namespace fiver
