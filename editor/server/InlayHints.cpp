#include "editor/server/InlayHints.h"

#include "compiler/sema/Value.h"
#include "editor/server/MethodCard.h"
#include "editor/server/StepPlacement.h"

#include <algorithm>
#include <set>

namespace fiver::lsp {

namespace {

// The declared parameters a call leaves out: positional arguments fill the
// declaration's order, named ones their name.
std::vector<const ParamSpec*> defaultedParams(const MethodSignature& m, const ast::Call& call) {
  std::set<std::string> given;
  size_t positional = 0;
  for (const ast::Arg& a : call.args) {
    if (a.name)
      given.insert(a.name->text);
    else if (positional < m.params.size())
      given.insert(m.params[positional++].name);
  }
  std::vector<const ParamSpec*> out;
  for (const ParamSpec& p : m.params)
    if (!given.count(p.name) && p.defaultValue) out.push_back(&p);
  return out;
}

json hintAfter(const Position& at, const std::vector<const ParamSpec*>& params) {
  std::string label;
  for (const ParamSpec* p : params)
    label += (label.empty() ? "" : ", ") + p->name + ": " + toString(*p->defaultValue);
  return {{"position", at},
          {"label", "(" + label + ")"},
          {"kind", 2}, // Parameter
          {"paddingLeft", true},
          {"tooltip", "defaults of the parameters this call leaves out"}};
}

bool inside(const SourceRange& inner, const SourceRange& outer) {
  return inner.begin.file == outer.begin.file && inner.begin.offset >= outer.begin.offset &&
         inner.begin.offset + inner.length <= outer.begin.offset + outer.length;
}

// After each step-placed method written in a recipe that compiles: the steps
// it acts on, for that recipe's schedule. Inherited lines are left out: the
// recipe that writes them has its own schedule.
void addStepHints(const Analysis& analysis, const Range& range, json& hints) {
  // Sema orders a recipe's methods by their passes; hints follow the text.
  std::vector<std::pair<Position, json>> found;
  for (const CompiledRecipePtr& recipe : analysis.compiled()) {
    const CompiledRecipe& c = *recipe;
    auto decl = analysis.program().recipes.find(c.recipe.name);
    if (!c.training || decl == analysis.program().recipes.end()) continue;
    if (decl->second->range.begin.file != analysis.path()) continue;
    for (const MethodUse& m : c.recipe.methods) {
      const SourceRange written = c.moved(m.where, decl->second->range.begin);
      if (!inside(written, decl->second->range)) continue;
      const Range where = analysis.rangeOf(written);
      if (where.start < range.start || range.end < where.start) continue;
      std::optional<StepSpan> span = stepSpan(m, *c.training);
      if (!span) continue;
      found.emplace_back(where.end,
                         json{{"position", where.end},
                              {"label", stepSpanLabel(*span, *c.training)},
                              {"paddingLeft", true},
                              {"tooltip", "where " + m.name + " acts in " + c.recipe.name +
                                              "'s schedule, as the compiler places it"}});
    }
  }
  std::stable_sort(found.begin(), found.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [at, hint] : found)
    hints.push_back(std::move(hint));
}

} // namespace

json inlayHints(const Analysis& analysis, const Range& range) {
  json hints = json::array();
  for (const auto& [name, recipe] : analysis.program().recipes) {
    if (recipe->range.begin.file != analysis.path()) continue;
    for (const ast::RecipeItem& item : recipe->items) {
      if (item.kind != ast::RecipeItem::Kind::Triple || !item.triple.method) continue;
      const ast::Call& call = *item.triple.method;
      const Range where = analysis.rangeOf(call.range);
      if (where.start < range.start || range.end < where.start) continue;
      std::optional<MethodSignature> m = methodSignature(analysis.program(), call.name.text);
      if (!m) continue;
      std::vector<const ParamSpec*> left = defaultedParams(*m, call);
      if (!left.empty()) hints.push_back(hintAfter(where.end, left));
    }
  }
  addStepHints(analysis, range, hints);
  return hints;
}

} // namespace fiver::lsp
