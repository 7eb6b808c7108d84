// Every name written in a parsed file, with what it names: the one walk of
// the AST that hover, definition, references, rename and semantic tokens share.
#pragma once

#include "compiler/frontend/Ast.h"
#include "compiler/sema/Program.h"

#include <string>
#include <vector>

namespace fiver::lsp {

enum class SymbolKind {
  Recipe,
  Method,
  Model,
  Task,
  Study,
  Param,    // a parameter of `owner` (a method, model, optimizer, schedule, augmentation or layer)
  Taxonomy, // action, component, timing or information word
  SettingKey, // `budget`, `model`, ... in a recipe
  Optimizer,
  Schedule,
  Augmentation,
  Layer,
};

struct Occurrence {
  SymbolKind kind;
  std::string name;
  SourceRange range;
  bool declaration = false;
  SymbolKind ownerKind = SymbolKind::Method; // Param only
  std::string owner;                         // Param only
};

// The occurrences in `file`, in source order. `program` tells study entries
// that name recipes from other values.
std::vector<Occurrence> indexFile(const ast::File& file, const Program& program);

// The occurrence covering `offset` (its end included, so a cursor just after
// a word still finds it), or null.
const Occurrence* occurrenceAt(const std::vector<Occurrence>& occurrences, size_t offset);

// Whether two occurrences name the same thing.
bool sameSymbol(const Occurrence& a, const Occurrence& b);

} // namespace fiver::lsp
