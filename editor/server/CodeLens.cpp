#include "editor/server/CodeLens.h"

#include "compiler/pipeline/Compile.h"
#include "compiler/pipeline/ScheduleCost.h"

#include <cstdio>

namespace fiver::lsp {

namespace {

// Three significant digits and an SI prefix: "12.3 MFLOP"; without a unit
// a count: "26.6k".
std::string si(double v, const char* unit) {
  static const char* prefixes[] = {"", "k", "M", "G", "T", "P", "E"};
  int p = 0;
  while (v >= 1000 && p < 6) {
    v /= 1000;
    ++p;
  }
  char buf[48];
  std::snprintf(buf, sizeof buf, *unit ? "%.3g %s%s" : "%.3g%s%s", v, prefixes[p], unit);
  return buf;
}

const ast::Recipe* recipeInDocument(const Analysis& analysis, const std::string& name) {
  auto it = analysis.program().recipes.find(name);
  if (it == analysis.program().recipes.end()) return nullptr;
  return it->second->range.begin.file == analysis.path() ? it->second : nullptr;
}

} // namespace

std::string costLensTitle(const CostReport& r) {
  const double ratio = r.beforeFlops > 0 ? r.scheduleFlops / r.beforeFlops : 0;
  char times[32];
  std::snprintf(times, sizeof times, "%.2f\u00d7", ratio);
  return "step " + si(r.after.forwardFlops, "FLOP") + " fwd + " +
         si(r.after.backwardFlops, "FLOP") + " bwd \u00b7 " + si(r.after.parameters, "") +
         " parameters \u00b7 schedule " + si(r.scheduleFlops, "FLOP") + " over " +
         std::to_string(r.totalSteps) + " steps, " + times + " the unchanged model (" +
         si(r.beforeFlops, "FLOP") + ")";
}

json codeLenses(const Analysis& analysis, const std::string& uri) {
  json lenses = json::array();
  for (const CompiledRecipePtr& recipe : analysis.compiled()) {
    const CompiledRecipe& c = *recipe;
    const ast::Recipe* decl = recipeInDocument(analysis, c.recipe.name);
    if (!c.training || !decl) continue;
    lenses.push_back({{"range", analysis.rangeOf(decl->name.range)},
                      {"data", {{"uri", uri}, {"recipe", c.recipe.name}}}});
  }
  return lenses;
}

json resolveCodeLens(const Analysis& analysis, const json& lens) {
  const json* data = lens.is_object() && lens.contains("data") ? &lens["data"] : nullptr;
  if (!data || !data->is_object() || !data->value("recipe", json()).is_string())
    throw LspError{ErrorCode::InvalidParams, "code lens without a recipe"};
  const std::string name = (*data)["recipe"];
  const CompiledRecipe* c = analysis.compiled(name);
  if (!c || !c->training || !recipeInDocument(analysis, name))
    throw LspError{ErrorCode::InvalidParams, "no compiled recipe '" + name + "'"};
  CostReport report;
  CompileOptions options;
  options.cost = &report;
  DiagnosticEngine ignored; // the analysis reported them: it compiled this recipe clean
  compileRecipe(c->recipe, options, ignored);
  json resolved = lens;
  resolved["command"] = {{"title", costLensTitle(report)}, {"command", ""}};
  return resolved;
}

} // namespace fiver::lsp
