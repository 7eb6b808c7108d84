// Diagnostics as JSON (`5rc check --format json`): the same content as the
// caret rendering, for tools. Positions are 1-based lines and byte columns.
#pragma once

#include "compiler/diag/Diagnostic.h"

#include <iosfwd>

namespace fiver {

// Writes {"diagnostics": [...], "errors": N, "warnings": N} on one line.
void writeDiagnosticsJson(std::ostream& os, const DiagnosticEngine& engine);

} // namespace fiver
