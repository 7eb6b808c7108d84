// The recipe checker behind Check.h, one concern a file:
//   Extends.cpp           `extends`, drops and overrides flattened into one recipe
//   SettingsCheck.cpp     settings: optimizer, schedule, augment, scalars, budget, target
//   TaskCheck.cpp         the task and task declarations
//   ModelCheck.cpp        the model, model declarations, and what methods require of it
//   OnnxModelCheck.cpp    a model imported from ONNX, fitted to the task
//   TripleCheck.cpp       triples resolved to methods, and their arguments
//   CompositionCheck.cpp  methods together: conflicts, input kinds, hook order
#pragma once

#include "compiler/diag/Diagnostic.h"
#include "compiler/sema/Builtins.h"
#include "compiler/sema/CheckedRecipe.h"
#include "compiler/sema/MethodSignature.h"
#include "compiler/sema/Program.h"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace fiver::check {

// A recipe with `extends` resolved: the last value of each setting, and the
// triples in order (a child's use of a method replaces its parent's).
struct FlatRecipe {
  std::map<std::string, const ast::RecipeItem*> settings;
  std::vector<const ast::RecipeItem*> triples;
  const ast::RecipeItem* target = nullptr;
  const ast::RecipeItem* timeBudget = nullptr; // `budget N s` / `budget N min`
};

template <typename Decl> std::vector<std::string> keysOf(const std::map<std::string, Decl>& table) {
  std::vector<std::string> keys;
  for (const auto& [key, value] : table)
    keys.push_back(key);
  return keys;
}

// Reports `message` at `range` with a "did you mean" fix-it when one of
// `candidates` is close to `name`.
Diagnostic& reportUnknown(DiagnosticEngine& diags, DiagId id, SourceRange range,
                          const std::string& message, const std::string& name,
                          const std::vector<std::string>& candidates);

class RecipeChecker {
public:
  RecipeChecker(const Program& program, DiagnosticEngine& diags);

  std::optional<CheckedRecipe> check(const ast::Recipe& recipe,
                                     const std::vector<ast::RecipeItem>& overrides);
  // Declarations checked on their own, without a recipe (`5rc check` of a file).
  void checkTaskDecl(const ast::TaskDecl& decl, TaskSpec& task);
  void checkModelDecl(const ast::ModelDecl& decl);

  const std::map<std::string, MethodSignature>& signatures() const { return signatures_; }

private:
  // Extends.cpp
  bool flatten(const ast::Recipe& recipe, FlatRecipe& flat, std::set<std::string>& visiting);
  std::string tripleKey(const ast::Triple& t) const;
  void applyLevel(FlatRecipe& flat, const std::vector<ast::RecipeItem>& items,
                  bool duplicatesAreErrors);
  void applyItem(FlatRecipe& flat, const ast::RecipeItem& item);

  // SettingsCheck.cpp
  void checkSettingNames(const FlatRecipe& flat);
  const ast::RecipeItem* setting(const FlatRecipe& flat, const std::string& key);
  void missing(const ast::Recipe& recipe, const std::string& key, const std::string& example);
  bool callOf(const ast::RecipeItem& item, std::string& name, std::vector<ast::Arg>& args,
              SourceRange& nameRange);
  bool checkCall(const std::string& name, const std::vector<ast::Arg>& args, SourceRange nameRange,
                 SourceRange range, const BuiltinTable& table, DiagId unknown, const char* kind,
                 CallSpec& out);
  void checkCallSetting(const FlatRecipe& flat, const std::string& key, const BuiltinTable& table,
                        DiagId unknown, const std::string& fallback, CallSpec& out);
  void checkAugment(const FlatRecipe& flat, CheckedRecipe& out);
  void checkHoldoutSize(const CheckedRecipe& out);
  void checkScalars(const FlatRecipe& flat, const ast::Recipe& recipe, CheckedRecipe& out);
  bool checkBudget(const FlatRecipe& flat, const ast::Recipe& recipe, CheckedRecipe& out);
  void checkPrecision(const FlatRecipe& flat, CheckedRecipe& out);
  void checkTarget(const FlatRecipe& flat, CheckedRecipe& out);

  // TaskCheck.cpp
  void checkTask(const FlatRecipe& flat, const ast::Recipe& recipe, CheckedRecipe& out);

  // ModelCheck.cpp
  void checkModel(const FlatRecipe& flat, const ast::Recipe& recipe, CheckedRecipe& out);
  void checkModelRequirements(const CheckedRecipe& out);

  // OnnxModelCheck.cpp
  void checkImportedModel(const ast::RecipeItem& item, const std::vector<ast::Arg>& args,
                          CheckedRecipe& out);
  bool fitImportedTokens(const onnx_import::ImportedModel& m, const TaskSpec& task, SourceRange at);
  bool fitImportedInput(onnx_import::ImportedModel& m, const std::string& channels,
                        const TaskSpec& task, SourceRange at);
  bool fitImportedHead(onnx_import::ImportedModel& m, const std::string& head, const TaskSpec& task,
                       SourceRange at);

  // TripleCheck.cpp
  void checkOneDefaultPerCell();
  // A `conflicts X when P == V` must name a parameter X declares.
  void checkConflictConditions();
  void checkTriple(const ast::Triple& t, CheckedRecipe& out);
  const MethodSignature* namedMethod(const ast::Triple& t, const std::optional<Triple>& written);
  const MethodSignature* defaultMethod(const ast::Triple& t, const Triple& written);
  void warnIfDefaultMoved(const MethodSignature& now, const Triple& cell, const SourceRange& where);
  void warnIfNotExecutable(const MethodSignature& sig, SourceRange where);

  // CompositionCheck.cpp
  void checkComposition(const CheckedRecipe& out);
  // E0300 for methods `a` and `b` (b later); for a conflict that holds only
  // for `conditioned`'s arguments, `condition` is its `when`.
  void reportConflict(const MethodUse& a, const MethodUse& b, const MethodUse* conditioned,
                      const ConflictCondition* condition);
  void checkInputKinds(const CheckedRecipe& out);
  void orderByPhase(CheckedRecipe& out);

  const Program& program_;
  DiagnosticEngine& diags_;
  std::map<std::string, MethodSignature> signatures_;
};

} // namespace fiver::check
