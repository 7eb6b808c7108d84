#include "editor/server/CompiledRecipes.h"

#include "compiler/pipeline/Compile.h"
#include "compiler/sema/Check.h"

#include <set>
#include <tuple>

namespace fiver::lsp {

namespace {
using DiagKey = std::tuple<int, std::string, uint32_t, uint32_t, std::string>;
DiagKey keyOf(const Diagnostic& d) {
  return {static_cast<int>(d.id), d.range.begin.file, d.range.begin.offset, d.range.length,
          d.message};
}
} // namespace

SourceRange CompiledRecipe::moved(SourceRange r, const SourceLoc& now) const {
  const SourceLoc& was = declared.begin;
  if (!r.valid() || r.begin.file != was.file || r.begin.offset < was.offset ||
      r.begin.offset >= was.offset + declared.length)
    return r;
  if (r.begin.line == was.line) r.begin.column = r.begin.column - was.column + now.column;
  r.begin.line = r.begin.line - was.line + now.line;
  r.begin.offset = r.begin.offset - was.offset + now.offset;
  return r;
}

std::vector<CompileOutcome> compileEachCleanRecipe(const Program& program,
                                                   const DiagnosticEngine& loaded) {
  std::vector<CompileOutcome> out;
  for (CheckedRecipe& recipe : cleanRecipesOf(program, loaded)) {
    DiagnosticEngine found;
    std::optional<plan::Plan> plan = compileRecipe(recipe, {}, found);
    auto compiled = std::make_shared<CompiledRecipe>(CompiledRecipe{std::move(recipe), {}});
    if (plan) compiled->training = plan->training;
    if (auto decl = program.recipes.find(compiled->recipe.name); decl != program.recipes.end())
      compiled->declared = decl->second->range;
    out.push_back({std::move(compiled), found.diagnostics()});
  }
  return out;
}

std::vector<CompiledRecipePtr> compileCleanRecipes(const Program& program,
                                                   DiagnosticEngine& diags) {
  std::set<DiagKey> seen;
  for (const Diagnostic& d : diags.diagnostics())
    seen.insert(keyOf(d));
  std::vector<CompiledRecipePtr> out;
  for (CompileOutcome& c : compileEachCleanRecipe(program, diags)) {
    for (const Diagnostic& d : c.diagnostics)
      if (seen.insert(keyOf(d)).second) diags.report(d.id, d.range, d.message) = d;
    out.push_back(std::move(c.recipe));
  }
  return out;
}

} // namespace fiver::lsp
