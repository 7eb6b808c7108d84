// Instantiates a `model NAME(params) { layers }` declaration: binds its
// parameters (and the task's `classes`), evaluates layer arguments, checks
// layer kinds, and unrolls `repeat`.
#pragma once

#include "compiler/diag/Diagnostic.h"
#include "compiler/frontend/Ast.h"
#include "compiler/sema/CheckedRecipe.h"

#include <optional>
#include <vector>

namespace fiver {

std::optional<ModelSpec> expandModel(const ast::ModelDecl& decl, const std::vector<ast::Arg>& args,
                                     SourceRange useRange, int64_t classes,
                                     DiagnosticEngine& diags);

} // namespace fiver
