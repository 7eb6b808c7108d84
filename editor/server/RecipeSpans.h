// A document parsed one recipe at a time, so an edit inside one recipe costs
// the parse of that recipe alone. The document is split into its top-level
// declarations; each recipe is parsed on its own (once per distinct text)
// and moved to where it stands, and the rest of the document is parsed with
// the recipes blanked out (newlines kept, so every position stays put) and
// the recipes after the last other declaration left out.
// Where that would not give what parsing the whole document gives (syntax
// errors anywhere, a declaration the split cannot isolate), the caller
// parses the whole document instead.
#pragma once

#include "compiler/diag/SourceLocation.h"
#include "compiler/frontend/Ast.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace fiver::lsp {

struct DeclSpan {
  size_t begin = 0, end = 0; // bytes [begin, end) of the document
  SourceLoc origin;          // where `begin` is: line, column, offset
  uint64_t hash = 0;         // of the span's text
  bool recipe = false;
};

struct SplitDocument {
  std::vector<DeclSpan> decls; // in document order
  // The document with every recipe span blanked, up to the end of its last
  // declaration that is not a recipe.
  std::string blanked;
};

SplitDocument splitDocument(const std::string& path, const std::string& text);

// FNV-1a, the hash the spans and the caches built on them use.
uint64_t hashText(std::string_view text, uint64_t seed = 14695981039346656037ULL);

// Moves a recipe parsed on its own (its first byte at line 1, column 1,
// offset 0) to `origin`.
void moveRecipe(ast::Recipe& recipe, const SourceLoc& origin);

// Recipes parsed on their own, by text. Entries not asked for in a pass
// (begin() .. sweep()) are dropped, so the cache holds one document's recipes.
class RecipeParseCache {
public:
  // The recipe `text` declares, at `origin`; nullopt when `text` is not one
  // recipe that parses cleanly.
  std::optional<ast::Recipe> recipeAt(const std::string& path, const std::string& text,
                                      const SourceLoc& origin);
  // Fills the cache from one parse of the whole document (cheaper than one
  // parse a recipe when many are new); false when it does not parse cleanly
  // into exactly the recipes of `split`.
  bool fill(const std::string& path, const std::string& text, const SplitDocument& split);
  // How many of `split`'s recipes the cache lacks.
  size_t misses(const std::string& text, const SplitDocument& split) const;
  void sweep();
  size_t parses() const { return parses_; }

private:
  struct Entry {
    std::optional<ast::Recipe> recipe; // at line 1, column 1
    bool used = true;
  };
  std::map<std::string, Entry> byText_;
  size_t parses_ = 0;
};

} // namespace fiver::lsp
