// Studies: the grid a fair comparison runs (recipes x budgets x seeds), with
// the simple strong baselines added automatically.
//
//   study fmnist {
//     recipes [fmnist_baseline, fmnist_fast]   // the first is the reference
//     budgets [1 epochs, 2 epochs, 4 epochs]   // at least three operating points
//     seeds [0, 1]
//     metric accuracy
//     baselines [epoch_count, early_stop, smaller_model(width: 16)]
//   }
#pragma once

#include "compiler/diag/Diagnostic.h"
#include "compiler/frontend/Ast.h"
#include "compiler/sema/CheckedRecipe.h"
#include "compiler/sema/Program.h"

#include <optional>
#include <string>
#include <vector>

namespace fiver {

struct StudyBaseline {
  std::string kind; // epoch_count | early_stop | smaller_model
  ParamMap args;    // smaller_model: the model arguments to override
  SourceRange where;
};

struct CheckedStudy {
  std::string name;
  std::string file;
  std::vector<std::string> recipes; // recipes[0] is the reference
  std::vector<Budget> budgets;
  std::vector<uint64_t> seeds;
  std::string metric = "accuracy";
  std::vector<StudyBaseline> baselines;
  SourceRange where;
};

inline constexpr size_t kMinOperatingPoints = 3;

std::optional<CheckedStudy> checkStudyDecl(const ast::StudyDecl& decl, const Program& program,
                                           DiagnosticEngine& diags);

} // namespace fiver
