// The document's recipes that pass sema, each compiled as `5rc compile` would
// (graph, passes, verified plan): their diagnostics join the document's, and
// what the compiler resolved (the checked recipe, the plan's step counts) is
// kept for the features that show it: step-placement hints and the code lens.
#pragma once

#include "compiler/diag/Diagnostic.h"
#include "compiler/plan/Plan.h"
#include "compiler/sema/CheckedRecipe.h"
#include "compiler/sema/Program.h"

#include <memory>
#include <optional>
#include <vector>

namespace fiver::lsp {

struct CompiledRecipe {
  CheckedRecipe recipe;
  std::optional<plan::Training> training; // absent when compiling it failed
  // Where the recipe's declaration began when it was compiled: a later
  // analysis reuses the unchanged recipe where the text moved (`moved`).
  SourceRange declared;

  // A range inside the declaration, moved to where the declaration begins
  // `now`; other ranges as they are.
  SourceRange moved(SourceRange r, const SourceLoc& now) const;
};
// Shared: an analysis reuses the unchanged recipes of the one before.
using CompiledRecipePtr = std::shared_ptr<const CompiledRecipe>;

// One recipe compiled, with what compiling it reported.
struct CompileOutcome {
  CompiledRecipePtr recipe;
  std::vector<Diagnostic> diagnostics;
};

// The clean recipes of a loaded program compiled, each on its own; `loaded`
// holds the load's and the check's diagnostics.
std::vector<CompileOutcome> compileEachCleanRecipe(const Program& program,
                                                   const DiagnosticEngine& loaded);

// Compiles the clean recipes of a loaded and checked program; `diags` holds
// the load's and the check's diagnostics and receives the compiler's, each
// reported once (a model several recipes use fails once).
std::vector<CompiledRecipePtr> compileCleanRecipes(const Program& program, DiagnosticEngine& diags);

} // namespace fiver::lsp
