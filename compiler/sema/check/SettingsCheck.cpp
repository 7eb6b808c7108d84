// Recipe settings: their names, the optimizer, schedule and augmentations
// (calls checked against built-in tables), the whole-number settings, the
// budget, precision and target.
#include "compiler/sema/check/RecipeChecker.h"

#include <algorithm>

namespace fiver::check {

namespace {

const std::vector<std::string> kSettings = {"task",         "model",      "optimizer", "schedule",
                                            "augment",      "batch_size", "budget",    "seed",
                                            "train_subset", "holdout",    "precision"};

} // namespace

void RecipeChecker::checkSettingNames(const FlatRecipe& flat) {
  for (const auto& [key, item] : flat.settings) {
    if (std::find(kSettings.begin(), kSettings.end(), key) == kSettings.end()) {
      reportUnknown(diags_, DiagId::UnknownSetting, item->key.range,
                    "'" + key + "' is not a recipe setting", key, kSettings);
    }
  }
}

const ast::RecipeItem* RecipeChecker::setting(const FlatRecipe& flat, const std::string& key) {
  auto it = flat.settings.find(key);
  return it == flat.settings.end() ? nullptr : it->second;
}

void RecipeChecker::missing(const ast::Recipe& recipe, const std::string& key,
                            const std::string& example) {
  Diagnostic& d = diags_.report(DiagId::MissingSetting, recipe.name.range,
                                "recipe '" + recipe.name.text + "' does not say its " + key);
  d.notes.push_back({{}, "add a line such as `" + example + "`"});
}

// The name and arguments of a setting written `name` or `name(args)`.
bool RecipeChecker::callOf(const ast::RecipeItem& item, std::string& name,
                           std::vector<ast::Arg>& args, SourceRange& nameRange) {
  const ast::Value& v = item.value;
  if (v.kind == ast::Value::Kind::Name || v.kind == ast::Value::Kind::Call) {
    name = v.text;
    args = v.args;
    nameRange = v.kind == ast::Value::Kind::Call ? v.nameRange : v.range;
    return true;
  }
  diags_.report(DiagId::SettingType, v.range,
                "'" + item.key.text + "' needs a name, optionally with arguments");
  return false;
}

// Checks `name(args)` against a built-in table; `fallback` when absent.
bool RecipeChecker::checkCall(const std::string& name, const std::vector<ast::Arg>& args,
                              SourceRange nameRange, SourceRange range, const BuiltinTable& table,
                              DiagId unknown, const char* kind, CallSpec& out) {
  auto it = table.find(name);
  if (it == table.end()) {
    reportUnknown(diags_, unknown, nameRange, std::string("unknown ") + kind + " '" + name + "'",
                  name, namesOf(table));
    return false;
  }
  out.kind = name;
  out.where = range;
  return checkArguments(args, it->second, std::string(kind) + " " + name, range, {}, diags_,
                        out.params);
}

void RecipeChecker::checkCallSetting(const FlatRecipe& flat, const std::string& key,
                                     const BuiltinTable& table, DiagId unknown,
                                     const std::string& fallback, CallSpec& out) {
  const ast::RecipeItem* item = setting(flat, key);
  if (!item) {
    checkCall(fallback, {}, {}, {}, table, unknown, key.c_str(), out);
    return;
  }
  std::string name;
  std::vector<ast::Arg> args;
  SourceRange nameRange;
  if (callOf(*item, name, args, nameRange))
    checkCall(name, args, nameRange, item->value.range, table, unknown, key.c_str(), out);
}

void RecipeChecker::checkAugment(const FlatRecipe& flat, CheckedRecipe& out) {
  const ast::RecipeItem* item = setting(flat, "augment");
  if (!item) return;
  std::vector<const ast::Value*> entries;
  if (item->value.kind == ast::Value::Kind::List) {
    for (const ast::Value& v : item->value.items)
      entries.push_back(&v);
  } else {
    entries.push_back(&item->value);
  }
  for (const ast::Value* v : entries) {
    if (v->kind != ast::Value::Kind::Name && v->kind != ast::Value::Kind::Call) {
      diags_.report(DiagId::SettingType, v->range,
                    "an augmentation is a name such as flip or crop(padding: 2)");
      continue;
    }
    CallSpec spec;
    SourceRange nameRange = v->kind == ast::Value::Kind::Call ? v->nameRange : v->range;
    if (checkCall(v->text, v->args, nameRange, v->range, builtinAugmentations(),
                  DiagId::UnknownSetting, "augmentation", spec))
      out.augment.push_back(std::move(spec));
  }
}

// The held-out examples come out of the training split, so some must remain.
void RecipeChecker::checkHoldoutSize(const CheckedRecipe& out) {
  const int64_t split = out.task.trainSize;
  if (out.holdout <= 0 || split <= 0 || out.holdout < split) return;
  Diagnostic& d = diags_.report(DiagId::HoldoutTooLarge, out.holdoutWhere,
                                "holdout " + std::to_string(out.holdout) +
                                    " leaves no training examples: task '" + out.task.name +
                                    "' has " + std::to_string(split));
  d.notes.push_back({{},
                     "hold out fewer than " + std::to_string(split) + " examples, e.g. `holdout " +
                         std::to_string(std::max<int64_t>(1, split / 12)) + "`"});
}

void RecipeChecker::checkScalars(const FlatRecipe& flat, const ast::Recipe& recipe,
                                 CheckedRecipe& out) {
  auto wholeSetting = [&](const char* key, int64_t low, auto assign) {
    const ast::RecipeItem* item = setting(flat, key);
    if (!item) return;
    const ast::Value& v = item->value;
    if (v.kind != ast::Value::Kind::Number || !v.isInteger || v.unit != Unit::None ||
        v.number < static_cast<double>(low)) {
      diags_.report(DiagId::SettingType, v.range,
                    std::string("'") + key + "' must be a whole number of at least " +
                        std::to_string(low));
      return;
    }
    assign(static_cast<int64_t>(v.number));
  };
  wholeSetting("batch_size", 1, [&](int64_t v) { out.batchSize = v; });
  wholeSetting("seed", 0, [&](int64_t v) { out.seed = static_cast<uint64_t>(v); });
  wholeSetting("train_subset", 1, [&](int64_t v) { out.trainSubset = v; });
  wholeSetting("holdout", 1, [&](int64_t v) {
    out.holdout = v;
    out.holdoutWhere = setting(flat, "holdout")->value.range;
  });
  checkHoldoutSize(out);
  if (checkBudget(flat, recipe, out)) checkPrecision(flat, out);
}

// `budget 8 epochs` (or steps, samples), optionally with `budget 90 s`.
// False when the budget is missing or malformed.
bool RecipeChecker::checkBudget(const FlatRecipe& flat, const ast::Recipe& recipe,
                                CheckedRecipe& out) {
  if (flat.timeBudget) {
    const ast::Value& t = flat.timeBudget->value;
    if (t.number <= 0)
      diags_.report(DiagId::SettingType, t.range, "a wall-clock budget is a positive time");
    else
      out.timeLimit = Budget{t.number, Unit::Seconds, t.range};
  }
  const ast::RecipeItem* budget = setting(flat, "budget");
  if (!budget && flat.timeBudget) {
    // Steps cannot be estimated from seconds before the run, and every
    // schedule and step-based method is placed along a step budget.
    Diagnostic& d = diags_.report(DiagId::UnsupportedBudget, flat.timeBudget->value.range,
                                  "a wall-clock budget needs an epoch, step or sample budget "
                                  "alongside it, to fit the schedule to");
    d.notes.push_back({{},
                       "the run stops at whichever comes first, e.g. `budget 8 epochs` "
                       "with `budget 90 s`"});
    return false;
  }
  if (!budget) {
    missing(recipe, "budget", "budget 4 epochs");
    return false;
  }
  const ast::Value& v = budget->value;
  if (v.kind != ast::Value::Kind::Number || v.number <= 0 ||
      (v.unit != Unit::Epochs && v.unit != Unit::Steps && v.unit != Unit::Samples)) {
    diags_.report(DiagId::SettingType, v.range,
                  "the budget is a positive amount of epochs, steps, samples, s or min");
    return false;
  }
  out.budget = Budget{v.number, v.unit, v.range};
  return true;
}

void RecipeChecker::checkPrecision(const FlatRecipe& flat, CheckedRecipe& out) {
  if (const ast::RecipeItem* p = setting(flat, "precision")) {
    if (p->value.kind != ast::Value::Kind::Name ||
        (p->value.text != "fp32" && p->value.text != "bf16" && p->value.text != "fp16"))
      diags_.report(DiagId::SettingType, p->value.range, "precision is one of fp32, bf16, fp16");
    else
      out.precision = p->value.text;
  }
}

void RecipeChecker::checkTarget(const FlatRecipe& flat, CheckedRecipe& out) {
  if (!flat.target) return;
  const ast::Value& v = flat.target->value;
  if (v.kind != ast::Value::Kind::Number || (v.unit != Unit::None && v.unit != Unit::Percent)) {
    diags_.report(DiagId::SettingType, v.range, "a target is a number or a percentage");
    return;
  }
  out.target.metric = flat.target->key.text;
  out.target.value = v.unit == Unit::Percent ? v.number / 100 : v.number;
  out.target.present = true;
}

} // namespace fiver::check
