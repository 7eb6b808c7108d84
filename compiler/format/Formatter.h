// `5rc fmt`: the canonical layout of a .5r file. Works on tokens, so comments
// are kept; line breaks are the author's (at most one blank line in a row),
// indentation and spacing within a line are canonical. Idempotent.
#pragma once

#include "compiler/diag/Diagnostic.h"

#include <optional>
#include <string>

namespace fiver {

// Returns the formatted text, or nullopt (with diagnostics) when the file does
// not lex or parse: a formatter must never change what a file means.
std::optional<std::string> formatSource(const std::string& path, const std::string& text,
                                        DiagnosticEngine& diags);

} // namespace fiver
