// `extends` chains, drops and command-line overrides, flattened into one
// recipe: the last value of each setting and each method.
#include "compiler/sema/check/RecipeChecker.h"

#include "compiler/sema/Taxonomy.h"

namespace fiver::check {

namespace {

// Longer `extends` chains are refused: flattening recurses once per level and
// every recipe of a file is flattened, so the cost grows with the square.
constexpr size_t kMaxExtendsDepth = 64;

} // namespace

bool RecipeChecker::flatten(const ast::Recipe& recipe, FlatRecipe& flat,
                            std::set<std::string>& visiting) {
  if (!visiting.insert(recipe.name.text).second) {
    diags_.report(DiagId::UnknownRecipe, recipe.name.range,
                  "recipe '" + recipe.name.text + "' extends itself");
    return false;
  }
  if (recipe.base && visiting.size() > kMaxExtendsDepth) {
    diags_.report(DiagId::NestingTooDeep, recipe.base->range,
                  "'extends' chain longer than " + std::to_string(kMaxExtendsDepth) + " recipes");
    return false;
  }
  if (recipe.base) {
    auto it = program_.recipes.find(recipe.base->text);
    if (it == program_.recipes.end()) {
      reportUnknown(diags_, DiagId::UnknownRecipe, recipe.base->range,
                    "unknown recipe '" + recipe.base->text + "'", recipe.base->text,
                    keysOf(program_.recipes));
      return false;
    }
    if (!flatten(*it->second, flat, visiting)) return false;
  }
  applyLevel(flat, recipe.items, true);
  return true;
}

// The method a triple names, or for a bare triple the name of its cell's
// default method, so that `retrofit model_parameters dynamic domain` in a
// child replaces an inherited `ema(...)`. Unresolvable triples key by text.
std::string RecipeChecker::tripleKey(const ast::Triple& t) const {
  if (t.method) return t.method->name.text;
  auto a = parseAction(t.action.text);
  auto c = parseComponent(t.component.text);
  auto ti = parseTiming(t.timing.text);
  auto i = parseInformation(t.information.text);
  if (a && c && ti && i) {
    Triple written{*a, *c, *ti, *i};
    for (const auto& [name, sig] : signatures_)
      if (sig.isDefaultFor(written)) return name;
  }
  return t.action.text + " " + t.component.text + " " + t.timing.text + " " + t.information.text;
}

// Applies one recipe's own items (or the command-line overrides) on top of
// what it inherited. Within one recipe a method may appear once (E0301);
// across levels a later use replaces the inherited one.
void RecipeChecker::applyLevel(FlatRecipe& flat, const std::vector<ast::RecipeItem>& items,
                               bool duplicatesAreErrors) {
  std::map<std::string, const ast::RecipeItem*> usedHere;
  for (const ast::RecipeItem& item : items) {
    if (item.kind == ast::RecipeItem::Kind::Triple && duplicatesAreErrors) {
      std::string key = tripleKey(item.triple);
      auto [first, inserted] = usedHere.emplace(key, &item);
      if (!inserted) {
        const ast::Triple& t = item.triple;
        Diagnostic& d = diags_.report(DiagId::DuplicateMethod, t.method ? t.method->range : t.range,
                                      "method '" + key + "' is applied twice in this recipe");
        const ast::Triple& f = first->second->triple;
        d.notes.push_back({f.method ? f.method->range : f.range, "first applied here"});
        continue;
      }
    }
    applyItem(flat, item);
  }
}

void RecipeChecker::applyItem(FlatRecipe& flat, const ast::RecipeItem& item) {
  switch (item.kind) {
  case ast::RecipeItem::Kind::Setting:
    // `budget 8 epochs` and `budget 90 s` are two limits, not one value
    // overriding the other.
    if (item.key.text == "budget" && item.value.kind == ast::Value::Kind::Number &&
        item.value.unit == Unit::Seconds)
      flat.timeBudget = &item;
    else
      flat.settings[item.key.text] = &item;
    break;
  case ast::RecipeItem::Kind::Target:
    flat.target = &item;
    break;
  case ast::RecipeItem::Kind::Triple: {
    std::string key = tripleKey(item.triple);
    for (const ast::RecipeItem*& existing : flat.triples) {
      if (tripleKey(existing->triple) == key) {
        existing = &item;
        return;
      }
    }
    flat.triples.push_back(&item);
    break;
  }
  case ast::RecipeItem::Kind::Drop: {
    size_t before = flat.triples.size();
    std::erase_if(flat.triples,
                  [&](const ast::RecipeItem* t) { return tripleKey(t->triple) == item.key.text; });
    if (flat.triples.size() == before) {
      std::vector<std::string> used;
      for (const ast::RecipeItem* t : flat.triples)
        used.push_back(tripleKey(t->triple));
      reportUnknown(diags_, DiagId::UnknownMethod, item.key.range,
                    "cannot drop '" + item.key.text + "': the recipe does not use it",
                    item.key.text, used);
    }
    break;
  }
  }
}

} // namespace fiver::check
