// The compiler pipeline after sema: training graph, passes, plan. Shared by
// the 5rc command and the tests.
#pragma once

#include "compiler/diag/Diagnostic.h"
#include "compiler/plan/Plan.h"
#include "compiler/sema/CheckedRecipe.h"

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace fiver {

struct CostReport;

struct CompileOptions {
  std::vector<std::string> dumpAfter; // pass names or "all"
  std::ostream* dumpStream = nullptr;
  std::ostream* printPipeline = nullptr; // list the passes here instead of nothing
  std::string dotFile;                   // Graphviz of the final model graph
  bool verify = true;
  // Run op_fusion: groups of elementwise ops become `fused` plan ops. Off by
  // default until the runtime executes fused ops (5rc compile --fuse).
  bool fuse = false;
  // Print per-step FLOPs, parameters and activation bytes before and after
  // the passes, and the schedule's total, here (5rc compile --cost).
  std::ostream* costStream = nullptr;
  // Filled with the same figures when set (the editor's code lens).
  CostReport* cost = nullptr;
};

std::optional<plan::Plan> compileRecipe(const CheckedRecipe& recipe, const CompileOptions& options,
                                        DiagnosticEngine& diags);

} // namespace fiver
