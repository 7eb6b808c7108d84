// A method declaration after checking: its triple, typed parameters and what
// it lowers to. Built from `method NAME : <triple> { ... }` in .5r.
#pragma once

#include "compiler/diag/Diagnostic.h"
#include "compiler/frontend/Ast.h"
#include "compiler/sema/InputKinds.h"
#include "compiler/sema/Params.h"
#include "compiler/sema/Taxonomy.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace fiver {

// A conflict that holds only while the other method's parameter `param`
// has the value `value` (`conflicts X when param == value`).
struct ConflictCondition {
  std::string param, value;
  SourceRange where;
};

struct MethodSignature {
  std::string name;
  Triple triple;                  // the primary one, first of `triples`
  std::vector<Triple> triples;    // every cell the survey places the method in
  std::vector<Triple> defaultFor; // cells whose bare triple resolves to it
  bool isDefault = false;         // defaultFor is not empty
  std::optional<Triple> formerly; // the triple it had before it followed the survey
  std::vector<ParamSpec> params;
  std::vector<std::string> passes, hooks, effects, conflicts, after;
  std::map<std::string, ConflictCondition> conflictConditions; // by conflicting method
  std::string phase;                 // where its hooks run in a step (compiler/sema/HookPhase.h)
  InputKind inputs = InputKind::Any; // `inputs images` / `inputs text`
  std::vector<std::string> requirements; // `requires`: what the model must have
  int phaseRank = -1;                    // -1 for a method without hooks
  const ast::MethodDecl* decl = nullptr;

  bool declares(const Triple& t) const;
  bool isDefaultFor(const Triple& t) const;
};

// Its conflicts as a card shows them: "x", or "x (when p == v)".
std::vector<std::string> conflictsText(const MethodSignature& m);

// "a | b" for a method's triples, primary first.
std::string triplesText(const MethodSignature& m);

// Checks the four taxonomy words; reports E0109 with a suggestion for a word
// that is not part of the taxonomy.
std::optional<Triple> checkTripleWords(const ast::Word& action, const ast::Word& component,
                                       const ast::Word& timing, const ast::Word& information,
                                       DiagnosticEngine& diags);

std::optional<MethodSignature> checkMethodDecl(const ast::MethodDecl& decl,
                                               DiagnosticEngine& diags);

} // namespace fiver
