// A recipe checked from `extends` to hook order; each step lives in its own file.
#include "compiler/sema/check/RecipeChecker.h"

#include "compiler/sema/Suggest.h"

namespace fiver::check {

Diagnostic& reportUnknown(DiagnosticEngine& diags, DiagId id, SourceRange range,
                          const std::string& message, const std::string& name,
                          const std::vector<std::string>& candidates) {
  Diagnostic& d = diags.report(id, range, message);
  if (auto near = closestMatch(name, candidates))
    d.fixits.push_back({range, *near, Applicability::MaybeIncorrect});
  return d;
}

RecipeChecker::RecipeChecker(const Program& program, DiagnosticEngine& diags)
    : program_(program), diags_(diags) {
  for (const auto& [name, decl] : program.methods)
    if (auto sig = checkMethodDecl(*decl, diags)) signatures_.emplace(name, std::move(*sig));
  checkOneDefaultPerCell();
  checkConflictConditions();
}

std::optional<CheckedRecipe> RecipeChecker::check(const ast::Recipe& recipe,
                                                  const std::vector<ast::RecipeItem>& overrides) {
  size_t before = diags_.errorCount();
  FlatRecipe flat;
  std::set<std::string> visiting;
  if (!flatten(recipe, flat, visiting)) return std::nullopt;
  applyLevel(flat, overrides, false);

  CheckedRecipe out;
  out.name = recipe.name.text;
  out.sourceHash = program_.sourceHash;
  checkSettingNames(flat);
  checkTask(flat, recipe, out);
  checkModel(flat, recipe, out);
  checkCallSetting(flat, "optimizer", builtinOptimizers(), DiagId::UnknownOptimizer, "sgd",
                   out.optimizer);
  checkCallSetting(flat, "schedule", builtinSchedules(), DiagId::UnknownSchedule, "one_cycle",
                   out.schedule);
  checkAugment(flat, out);
  checkScalars(flat, recipe, out);
  checkTarget(flat, out);
  for (const ast::RecipeItem* item : flat.triples)
    checkTriple(item->triple, out);
  checkComposition(out);
  checkModelRequirements(out);
  checkInputKinds(out);
  orderByPhase(out);
  if (diags_.errorCount() != before) return std::nullopt;
  return out;
}

} // namespace fiver::check
