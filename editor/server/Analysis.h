// One document, checked as `5rc check` checks a file: its diagnostics, and
// the parsed program (stdlib, the document, its imports) that navigation,
// hover and completion read. Immutable once built.
#pragma once

#include "compiler/diag/Diagnostic.h"
#include "compiler/diag/SourceManager.h"
#include "compiler/sema/ParseCache.h"
#include "compiler/sema/Program.h"
#include "editor/server/CompiledRecipes.h"
#include "editor/server/IncrementalCheck.h"
#include "editor/server/LineIndex.h"
#include "editor/server/RecipeSpans.h"
#include "editor/server/SymbolIndex.h"

#include <map>
#include <memory>
#include <string>

namespace fiver::lsp {

// What one document's analyses keep from one to the next: its recipes
// parsed on their own and what checking each reported.
struct DocumentCaches {
  RecipeParseCache recipes;
  IncrementalCheck checks;
};

class Analysis {
public:
  // `openBuffers` (path -> text) stand in for files on disk, so an import of
  // an open, unsaved document sees what the editor shows. Files whose text
  // `cache` has seen (the stdlib, unchanged imports) are not parsed again.
  // With `document`, unchanged recipes are neither parsed nor checked again
  // (see RecipeSpans and IncrementalCheck); the result is the same.
  static std::shared_ptr<const Analysis>
  build(const std::string& path, const std::string& text, const std::string& stdlibDir,
        const std::map<std::string, std::string>& openBuffers, ParseCache& cache,
        DocumentCaches* document = nullptr);

  const std::string& path() const { return path_; }
  const std::string& text() const { return text_; }
  const LineIndex& lines() const { return *lines_; }
  const DiagnosticEngine& diagnostics() const { return diagnostics_; }
  const Program& program() const { return program_; }
  // The document's recipes that passed sema, compiled.
  const std::vector<CompiledRecipePtr>& compiled() const { return compiled_; }
  const CompiledRecipe* compiled(const std::string& recipe) const;
  const std::string& stdlibDir() const { return stdlibDir_; }
  bool isStdlibFile(const std::string& file) const;
  // The occurrences in the document, and in every file of the program.
  const std::vector<Occurrence>& occurrences() const { return occurrences_.at(path_); }
  const std::map<std::string, std::vector<Occurrence>>& allOccurrences() const {
    return occurrences_;
  }
  // A compiler range, in whichever loaded file it points into, as an LSP range.
  Range rangeOf(const SourceRange& r) const;

private:
  Analysis() = default;
  // Loads the program recipe by recipe; false (and nothing changed) where
  // the document must be parsed whole.
  bool loadByRecipe(ParseCache& cache, DocumentCaches& document);
  std::string path_, text_, stdlibDir_;
  std::unique_ptr<LineIndex> lines_;
  SourceManager sources_;
  DiagnosticEngine diagnostics_;
  Program program_;
  std::vector<CompiledRecipePtr> compiled_;
  std::map<std::string, std::vector<Occurrence>> occurrences_;
  mutable std::map<std::string, LineIndex> otherLines_;
};

} // namespace fiver::lsp
