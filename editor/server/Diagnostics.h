// The compiler's diagnostics as LSP diagnostics: same code, severity and
// message as `5rc check`; notes become related information.
#pragma once

#include "editor/server/Analysis.h"
#include "editor/server/Protocol.h"

#include <vector>

namespace fiver::lsp {

LspDiagnostic toLspDiagnostic(const Analysis& analysis, const Diagnostic& d);

// Every diagnostic of the check, placed in the document: one located in an
// imported file is shown on the import it came through (or the first line).
std::vector<LspDiagnostic> documentDiagnostics(const Analysis& analysis);

} // namespace fiver::lsp
