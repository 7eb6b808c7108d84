// `5rc check` and the editor report what `5rc compile` would: after sema,
// every recipe that checked clean is built into its training graph (shapes,
// the timeline), run through its passes (their preconditions) and lowered
// to a verified plan, all without LibTorch. A model used by several recipes
// is reported once.
#pragma once

#include "compiler/diag/Diagnostic.h"
#include "compiler/diag/SourceManager.h"
#include "compiler/sema/Check.h"
#include "compiler/sema/Program.h"

namespace fiver {

// Compiles the clean recipes of a loaded and checked program; `diags` holds
// the load's and the check's diagnostics and receives the new ones.
// Returns true when `diags` has no errors.
bool checkRecipesCompile(const Program& program, DiagnosticEngine& diags);

// Loads, checks and compiles a file: everything `5rc check` reports.
bool checkFileThroughCompile(const CheckRequest& request, SourceManager& sources,
                             DiagnosticEngine& diags);

} // namespace fiver
