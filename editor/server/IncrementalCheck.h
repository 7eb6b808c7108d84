// Checking and compiling a document one recipe at a time, reusing what an
// unchanged recipe reported last time. A recipe is checked again when its
// text, the text of a recipe it extends, or anything else it could read (the
// document's other declarations, the stdlib, the imports) changed; otherwise
// its diagnostics and compiled form are moved to where the recipe now stands.
// Each recipe is checked as if it were the main file's only recipe, with the
// whole document loaded beside it so that names resolve as they do in the
// document; recipes sema has nothing to say about are checked several at once
// (compiling reports per recipe anyway), which is what a first check costs.
#pragma once

#include "compiler/diag/Diagnostic.h"
#include "compiler/diag/SourceManager.h"
#include "compiler/sema/Program.h"
#include "editor/server/CompiledRecipes.h"
#include "editor/server/RecipeSpans.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace fiver::lsp {

class IncrementalCheck {
public:
  // Checks and compiles `program` (its main file spliced from `split`'s
  // recipes, in order); reports to `diags` (which holds the load's
  // diagnostics) and returns the compiled recipes, in document order.
  // `program` is the same afterwards.
  std::vector<CompiledRecipePtr> run(Program& program, const SplitDocument& split,
                                     const std::string& text, const SourceManager& sources,
                                     DiagnosticEngine& diags);

  // Recipes (and declaration sets) checked so far, rather than reused.
  size_t checks() const { return checks_; }

private:
  // What one check reported, and where the recipe stood then.
  struct Result {
    uint64_t key = 0;
    SourceLoc origin;
    size_t length = 0;
    std::vector<Diagnostic> diagnostics;
    std::vector<CompiledRecipePtr> compiled;
    // Spans of the document other than its own that its locations point
    // into: (hash, offset), which must be where they were for a reuse.
    std::vector<std::pair<uint64_t, uint32_t>> foreign;
  };
  Result checkAlone(Program& program, ast::File alone);
  // The results of the main file's recipes `which`, checked together where
  // that tells which recipe reported what (sema reports nothing), else in
  // halves; fills `out` by recipe index.
  void checkTogether(Program& program, const std::vector<size_t>& which,
                     std::map<size_t, Result>& out);
  // The result for the document's declarations other than recipes, checked
  // again only when they changed or moved; null when there are none.
  const Result* declarations(Program& program, const SplitDocument& split, const std::string& text,
                             uint64_t context);
  bool relocate(Result& r, const DeclSpan& now, const SplitDocument& split) const;
  void noteForeign(Result& r, const DeclSpan& own, const SplitDocument& split) const;

  std::map<std::string, Result> recipes_; // by recipe name
  std::optional<Result> declarations_;    // the document's other declarations
  size_t checks_ = 0;
};

} // namespace fiver::lsp
