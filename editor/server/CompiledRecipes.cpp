#include "editor/server/CompiledRecipes.h"

#include "compiler/driver/Compile.h"
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

std::vector<CompiledRecipe> compileCleanRecipes(const Program& program, DiagnosticEngine& diags) {
  std::set<DiagKey> seen;
  for (const Diagnostic& d : diags.diagnostics())
    seen.insert(keyOf(d));
  std::vector<CompiledRecipe> out;
  for (CheckedRecipe& recipe : cleanRecipesOf(program, diags)) {
    DiagnosticEngine found;
    std::optional<plan::Plan> plan = compileRecipe(recipe, {}, found);
    for (const Diagnostic& d : found.diagnostics())
      if (seen.insert(keyOf(d)).second) diags.report(d.id, d.range, d.message) = d;
    CompiledRecipe compiled{std::move(recipe), std::nullopt};
    if (plan) compiled.training = plan->training;
    out.push_back(std::move(compiled));
  }
  return out;
}

} // namespace fiver::lsp
