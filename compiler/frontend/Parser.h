// Parses .5r text into an AST. Never throws and never crashes: lexical and
// syntax errors become diagnostics with exact positions.
#pragma once

#include "compiler/diag/Diagnostic.h"
#include "compiler/frontend/Ast.h"

#include <optional>
#include <string>

namespace fiver {

// Returns the AST of everything that parsed; diagnostics say what did not.
ast::File parseFile(const std::string& path, const std::string& text, DiagnosticEngine& diags);

// Parses one recipe item (a command-line override such as `budget 2 epochs`).
std::optional<ast::RecipeItem> parseRecipeItem(const std::string& name, const std::string& text,
                                               DiagnosticEngine& diags);

} // namespace fiver
