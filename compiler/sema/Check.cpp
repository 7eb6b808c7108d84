// Recipe checking: resolves `extends`, settings, triples and methods into a
// CheckedRecipe, reporting every problem at the span that caused it.
#include "compiler/sema/Check.h"

#include "compiler/frontend/Parser.h"
#include "compiler/sema/Builtins.h"
#include "compiler/sema/InputKinds.h"
#include "compiler/sema/MethodSignature.h"
#include "compiler/sema/ModelExpansion.h"
#include "compiler/sema/Program.h"
#include "compiler/sema/Suggest.h"

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <set>
#include <tuple>

namespace fiver {

namespace {

const std::vector<std::string> kSettings = {"task",         "model",      "optimizer", "schedule",
                                            "augment",      "batch_size", "budget",    "seed",
                                            "train_subset", "holdout",    "precision"};
const std::vector<std::string> kTaskKeys = {"dataset",    "path",      "input", "classes",
                                            "train_size", "test_size", "metric"};

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
                          const std::vector<std::string>& candidates) {
  Diagnostic& d = diags.report(id, range, message);
  if (auto near = closestMatch(name, candidates))
    d.fixits.push_back({range, *near, Applicability::MaybeIncorrect});
  return d;
}

// Longer `extends` chains are refused: flattening recurses once per level and
// every recipe of a file is flattened, so the cost grows with the square.
constexpr size_t kMaxExtendsDepth = 64;

class RecipeChecker {
public:
  RecipeChecker(const Program& program, DiagnosticEngine& diags)
      : program_(program), diags_(diags) {
    for (const auto& [name, decl] : program.methods)
      if (auto sig = checkMethodDecl(*decl, diags)) signatures_.emplace(name, std::move(*sig));
    checkOneDefaultPerCell();
  }

  bool flatten(const ast::Recipe& recipe, FlatRecipe& flat, std::set<std::string>& visiting) {
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

  std::optional<CheckedRecipe> check(const ast::Recipe& recipe,
                                     const std::vector<ast::RecipeItem>& overrides) {
    size_t before = diags_.errorCount();
    FlatRecipe flat;
    std::set<std::string> visiting;
    if (!flatten(recipe, flat, visiting)) return std::nullopt;
    applyLevel(flat, overrides, false);

    CheckedRecipe out;
    out.name = recipe.name.text;
    out.sourceHash = program_.sourceHash;
    for (const auto& [key, item] : flat.settings) {
      if (std::find(kSettings.begin(), kSettings.end(), key) == kSettings.end()) {
        reportUnknown(diags_, DiagId::UnknownSetting, item->key.range,
                      "'" + key + "' is not a recipe setting", key, kSettings);
      }
    }
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
    checkWeightTying(out);
    checkInputKinds(out);
    orderByPhase(out);
    if (diags_.errorCount() != before) return std::nullopt;
    return out;
  }

  const std::map<std::string, MethodSignature>& signatures() const { return signatures_; }

  // A bare triple must resolve to exactly one method.
  void checkOneDefaultPerCell() {
    std::vector<const MethodSignature*> defaults;
    for (const auto& [name, sig] : signatures_)
      if (sig.isDefault) defaults.push_back(&sig);
    // Declaration order (file, then offset) decides which one is "first".
    std::sort(defaults.begin(), defaults.end(), [](const auto* a, const auto* b) {
      const SourceLoc& x = a->decl->name.range.begin;
      const SourceLoc& y = b->decl->name.range.begin;
      return std::tie(x.file, x.offset) < std::tie(y.file, y.offset);
    });
    for (size_t j = 0; j < defaults.size(); ++j) {
      for (const Triple& cell : defaults[j]->defaultFor) {
        for (size_t i = 0; i < j; ++i) {
          if (!defaults[i]->isDefaultFor(cell)) continue;
          Diagnostic& d = diags_.report(DiagId::DuplicateDefinition, defaults[j]->decl->name.range,
                                        "'" + toString(cell) + "' already has a default method, '" +
                                            defaults[i]->name + "'");
          d.notes.push_back({defaults[i]->decl->name.range, "the first default is declared here"});
          break;
        }
      }
    }
  }

  // The method a triple names, or for a bare triple the name of its cell's
  // default method, so that `retrofit model_parameters dynamic domain` in a
  // child replaces an inherited `ema(...)`. Unresolvable triples key by text.
  std::string tripleKey(const ast::Triple& t) const {
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
  void applyLevel(FlatRecipe& flat, const std::vector<ast::RecipeItem>& items,
                  bool duplicatesAreErrors) {
    std::map<std::string, const ast::RecipeItem*> usedHere;
    for (const ast::RecipeItem& item : items) {
      if (item.kind == ast::RecipeItem::Kind::Triple && duplicatesAreErrors) {
        std::string key = tripleKey(item.triple);
        auto [first, inserted] = usedHere.emplace(key, &item);
        if (!inserted) {
          const ast::Triple& t = item.triple;
          Diagnostic& d =
              diags_.report(DiagId::DuplicateMethod, t.method ? t.method->range : t.range,
                            "method '" + key + "' is applied twice in this recipe");
          const ast::Triple& f = first->second->triple;
          d.notes.push_back({f.method ? f.method->range : f.range, "first applied here"});
          continue;
        }
      }
      applyItem(flat, item);
    }
  }

  void applyItem(FlatRecipe& flat, const ast::RecipeItem& item) {
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
      std::erase_if(flat.triples, [&](const ast::RecipeItem* t) {
        return tripleKey(t->triple) == item.key.text;
      });
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

  const ast::RecipeItem* setting(const FlatRecipe& flat, const std::string& key) {
    auto it = flat.settings.find(key);
    return it == flat.settings.end() ? nullptr : it->second;
  }

  void missing(const ast::Recipe& recipe, const std::string& key, const std::string& example) {
    Diagnostic& d = diags_.report(DiagId::MissingSetting, recipe.name.range,
                                  "recipe '" + recipe.name.text + "' does not say its " + key);
    d.notes.push_back({{}, "add a line such as `" + example + "`"});
  }

  // The name and arguments of a setting written `name` or `name(args)`.
  bool callOf(const ast::RecipeItem& item, std::string& name, std::vector<ast::Arg>& args,
              SourceRange& nameRange) {
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

  void checkTask(const FlatRecipe& flat, const ast::Recipe& recipe, CheckedRecipe& out) {
    const ast::RecipeItem* item = setting(flat, "task");
    if (!item) return missing(recipe, "task", "task fashion_mnist");
    std::string name;
    std::vector<ast::Arg> args;
    SourceRange nameRange;
    if (!callOf(*item, name, args, nameRange)) return;
    auto it = program_.tasks.find(name);
    if (it == program_.tasks.end()) {
      reportUnknown(diags_, DiagId::UnknownTask, nameRange, "unknown task '" + name + "'", name,
                    keysOf(program_.tasks));
      return;
    }
    checkTaskDecl(*it->second, out.task);
  }

  // Reads a task declaration into `task`, reporting keys and values it cannot use.
  void checkTaskDecl(const ast::TaskDecl& decl, TaskSpec& task) {
    const std::string& name = decl.name.text;
    task.name = name;
    task.where = decl.range;
    std::set<std::string> given;
    for (const ast::TaskItem& ti : decl.items) {
      given.insert(ti.key.text);
      std::optional<Value> v = evaluate(ti.value, {}, diags_);
      if (!v) continue;
      const std::string& key = ti.key.text;
      auto wrong = [&](const char* what) {
        diags_.report(DiagId::SettingType, ti.value.range,
                      "task setting '" + key + "' must be " + what);
      };
      auto whole = [&](int64_t& field) {
        if (v->kind == Value::Kind::Number && v->unit == Unit::None && v->number >= 0)
          field = static_cast<int64_t>(v->number);
        else
          wrong("a whole number");
      };
      if (key == "dataset" || key == "metric" || key == "path") {
        if (v->kind != Value::Kind::Ident && v->kind != Value::Kind::String) {
          wrong("a name or a string");
          continue;
        }
        (key == "dataset" ? task.dataset : key == "metric" ? task.metric : task.path) = v->text;
      } else if (key == "input") {
        task.inputShape.clear();
        for (const Value& x : v->list)
          if (x.kind == Value::Kind::Number && x.number >= 1)
            task.inputShape.push_back(static_cast<int64_t>(x.number));
        // [C, H, W] images, or [T] token sequences (text tasks).
        const size_t n = task.inputShape.size();
        if (v->kind != Value::Kind::List || (n != 3 && n != 1) || v->list.size() != n)
          wrong("a list of positive sizes: [channels, height, width] for images, or "
                "[sequence length] for text");
      } else if (key == "classes") {
        if (v->kind == Value::Kind::Number && v->number == 0)
          wrong("at least 1");
        else
          whole(task.classes);
      } else if (key == "train_size") {
        whole(task.trainSize);
      } else if (key == "test_size") {
        whole(task.testSize);
      } else {
        reportUnknown(diags_, DiagId::UnknownSetting, ti.key.range,
                      "'" + key + "' is not a task setting", key, kTaskKeys);
      }
    }
    // A key that is present but malformed was reported above; name only absent ones.
    std::string absent;
    for (const char* key : {"dataset", "input", "classes"})
      if (!given.count(key)) absent += std::string(absent.empty() ? "" : ", ") + key;
    if (!absent.empty())
      diags_.report(DiagId::MissingSetting, decl.name.range,
                    "task '" + name + "' does not give its " + absent);
  }

  // Expands a model declaration on its own, with its defaults (a placeholder
  // for parameters without one and for `classes`), so that `5rc check` of a
  // models file reports unknown layers and bad arguments without a recipe.
  void checkModelDecl(const ast::ModelDecl& decl) {
    std::vector<ast::Arg> args;
    for (const ast::ModelParam& p : decl.params) {
      if (p.defaultValue) continue;
      ast::Arg arg;
      arg.name = p.name;
      arg.value.kind = ast::Value::Kind::Number;
      arg.value.number = 1;
      arg.value.isInteger = p.type.text == "int";
      if (p.type.text == "percent") arg.value.unit = Unit::Percent;
      if (p.type.text == "duration") arg.value.unit = Unit::Steps;
      if (p.type.text == "bool" || p.type.text == "string" || p.type.text == "name") {
        arg.value.kind = ast::Value::Kind::Name;
        arg.value.text = p.type.text == "bool" ? "true" : "placeholder";
      }
      arg.range = arg.value.range = p.name.range;
      args.push_back(std::move(arg));
    }
    constexpr int64_t kPlaceholderClasses = 10;
    expandModel(decl, args, decl.name.range, kPlaceholderClasses, diags_);
  }

  void checkModel(const FlatRecipe& flat, const ast::Recipe& recipe, CheckedRecipe& out) {
    const ast::RecipeItem* item = setting(flat, "model");
    if (!item) return missing(recipe, "model", "model small_cnn(width: 32)");
    std::string name;
    std::vector<ast::Arg> args;
    SourceRange nameRange;
    if (!callOf(*item, name, args, nameRange)) return;
    if (out.task.classes <= 0) return; // the task's error is reported; `classes` is unknown
    auto it = program_.models.find(name);
    if (it == program_.models.end()) {
      reportUnknown(diags_, DiagId::UnknownModel, nameRange, "unknown model '" + name + "'", name,
                    keysOf(program_.models));
      return;
    }
    if (auto model = expandModel(*it->second, args, item->value.range, out.task.classes, diags_))
      out.model = std::move(*model);
  }

  // Checks `name(args)` against a built-in table; `fallback` when absent.
  bool checkCall(const std::string& name, const std::vector<ast::Arg>& args, SourceRange nameRange,
                 SourceRange range, const BuiltinTable& table, DiagId unknown, const char* kind,
                 CallSpec& out) {
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

  void checkCallSetting(const FlatRecipe& flat, const std::string& key, const BuiltinTable& table,
                        DiagId unknown, const std::string& fallback, CallSpec& out) {
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

  void checkAugment(const FlatRecipe& flat, CheckedRecipe& out) {
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
  void checkHoldoutSize(const CheckedRecipe& out) {
    const int64_t split = out.task.trainSize;
    if (out.holdout <= 0 || split <= 0 || out.holdout < split) return;
    Diagnostic& d = diags_.report(DiagId::HoldoutTooLarge, out.holdoutWhere,
                                  "holdout " + std::to_string(out.holdout) +
                                      " leaves no training examples: task '" + out.task.name +
                                      "' has " + std::to_string(split));
    d.notes.push_back({{},
                       "hold out fewer than " + std::to_string(split) +
                           " examples, e.g. `holdout " +
                           std::to_string(std::max<int64_t>(1, split / 12)) + "`"});
  }

  void checkScalars(const FlatRecipe& flat, const ast::Recipe& recipe, CheckedRecipe& out) {
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
      return;
    }
    if (!budget) return missing(recipe, "budget", "budget 4 epochs");
    const ast::Value& v = budget->value;
    if (v.kind != ast::Value::Kind::Number || v.number <= 0 ||
        (v.unit != Unit::Epochs && v.unit != Unit::Steps && v.unit != Unit::Samples)) {
      diags_.report(DiagId::SettingType, v.range,
                    "the budget is a positive amount of epochs, steps, samples, s or min");
      return;
    }
    out.budget = Budget{v.number, v.unit, v.range};

    if (const ast::RecipeItem* p = setting(flat, "precision")) {
      if (p->value.kind != ast::Value::Kind::Name ||
          (p->value.text != "fp32" && p->value.text != "bf16" && p->value.text != "fp16"))
        diags_.report(DiagId::SettingType, p->value.range, "precision is one of fp32, bf16, fp16");
      else
        out.precision = p->value.text;
    }
  }

  void checkTarget(const FlatRecipe& flat, CheckedRecipe& out) {
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

  void checkTriple(const ast::Triple& t, CheckedRecipe& out) {
    std::optional<Triple> written =
        checkTripleWords(t.action, t.component, t.timing, t.information, diags_);
    const MethodSignature* sig = nullptr;
    if (t.method) {
      auto it = signatures_.find(t.method->name.text);
      if (it == signatures_.end()) {
        if (program_.methods.count(t.method->name.text)) return; // its declaration has errors
        reportUnknown(diags_, DiagId::UnknownMethod, t.method->name.range,
                      "unknown method '" + t.method->name.text + "'", t.method->name.text,
                      program_.methodNames());
        return;
      }
      sig = &it->second;
      if (written && !sig->declares(*written)) {
        // A triple the method had before it followed the survey says so.
        bool moved = sig->formerly && *sig->formerly == *written;
        Diagnostic& d = diags_.report(
            DiagId::TripleMismatch, t.range,
            "method '" + sig->name + "' is declared as '" + triplesText(*sig) + "', not '" +
                toString(*written) + "'" +
                (moved ? " (its triple moved to follow the survey's placement)" : ""));
        d.notes.push_back({sig->decl->name.range, "'" + sig->name + "' is declared here"});
        if (moved && !sig->decl->survey.empty())
          d.notes.push_back({{}, "the survey: " + sig->decl->survey});
        d.fixits.push_back({t.range, toString(sig->triple), Applicability::MachineApplicable});
        return;
      }
    } else {
      if (!written) return;
      for (const auto& [name, s] : signatures_)
        if (s.isDefaultFor(*written)) sig = &s;
      if (!sig) {
        // The cell's former default may have moved to follow the survey: offer its new cell.
        const MethodSignature* moved = nullptr;
        for (const auto& [name, s] : signatures_)
          if (s.formerly && *s.formerly == *written && s.isDefault) moved = &s;
        Diagnostic& d = diags_.report(
            DiagId::NoDefaultMethod, t.range,
            "no default method for '" + toString(*written) + "': name one" +
                (moved ? " (its former default, '" + moved->name + "', moved to '" +
                             toString(moved->defaultFor.front()) + "' to follow the survey)"
                       : std::string()));
        if (moved)
          d.fixits.push_back({t.range, toString(moved->defaultFor.front()) + " " + moved->name,
                              Applicability::MaybeIncorrect});
        return;
      }
      warnIfDefaultMoved(*sig, *written, t.range);
    }
    if (!written) return;
    MethodUse use;
    use.name = sig->name;
    use.triple = *written; // the cell the recipe chose, one of those the method declares
    use.passes = sig->passes;
    use.hooks = sig->hooks;
    use.effects = sig->effects;
    use.where = t.method ? t.method->range : t.range;
    std::vector<ast::Arg> noArgs;
    const std::vector<ast::Arg>& args = t.method ? t.method->args : noArgs;
    for (size_t i = 0; i < args.size(); ++i) {
      std::string param = args[i].name             ? args[i].name->text
                          : i < sig->params.size() ? sig->params[i].name
                                                   : std::string();
      if (!param.empty()) use.argWhere[param] = args[i].range;
    }
    warnIfNotExecutable(*sig, use.where);
    if (checkArguments(args, sig->params, "method " + sig->name, use.where, {}, diags_, use.params))
      out.methods.push_back(std::move(use));
  }

  // A bare triple whose default was another method before the stdlib followed
  // the survey (restrict architecture was factorize's, now weight_tying's)
  // would silently change meaning: say so, and offer the named old method.
  void warnIfDefaultMoved(const MethodSignature& now, const Triple& cell,
                          const SourceRange& where) {
    for (const auto& [name, s] : signatures_) {
      if (&s == &now || !s.formerly || !(*s.formerly == cell) || !s.isDefault) continue;
      Diagnostic& d = diags_.report(DiagId::DefaultMoved, where,
                                    "'" + toString(cell) + "' now resolves to '" + now.name +
                                        "'; its default was '" + name + "', which moved to '" +
                                        toString(s.defaultFor.front()) + "' to follow the survey");
      d.fixits.push_back({where, toString(cell) + " " + now.name, Applicability::MaybeIncorrect});
      d.fixits.push_back(
          {where, toString(s.defaultFor.front()) + " " + name, Applicability::MaybeIncorrect});
    }
  }

  // No silent no-ops: a method whose hook the runtime lacks is flagged here,
  // and 5rc-exec refuses the plan rather than ignoring the method.
  void warnIfNotExecutable(const MethodSignature& sig, SourceRange where) {
    static const std::set<std::string> kHooks = {
#define HOOK(Name) Name,
#include "compiler/plan/RuntimeHooks.def"
#undef HOOK
    };
    for (const std::string& hook : sig.hooks) {
      if (kHooks.count(hook)) continue;
      Diagnostic& d = diags_.report(DiagId::HookNotExecutable, where,
                                    "method '" + sig.name + "' needs the runtime hook '" + hook +
                                        "', which 5rc-exec does not implement yet");
      d.notes.push_back({{}, "the recipe checks and compiles, but running it stops with an error"});
    }
  }

  // weight_tying shares one matrix between an input embedding and the output
  // classifier of the same width; a model without an embedding has no such
  // pair, and tying would do nothing.
  void checkWeightTying(const CheckedRecipe& out) {
    if (out.model.name.empty()) return; // the model already failed to check
    std::function<bool(const std::vector<LayerSpec>&)> hasEmbedding =
        [&](const std::vector<LayerSpec>& layers) {
          for (const LayerSpec& l : layers)
            if (l.kind == "embedding" || hasEmbedding(l.body) || hasEmbedding(l.shortcut))
              return true;
          return false;
        };
    for (const MethodUse& use : out.methods) {
      if (use.name != "weight_tying" || hasEmbedding(out.model.layers)) continue;
      Diagnostic& d = diags_.report(DiagId::NothingToTie, use.where,
                                    "model '" + out.model.name +
                                        "' has no pair of layers that weight_tying could tie");
      d.notes.push_back({out.model.where, "the model is chosen here; it has no embedding layer "
                                          "whose matrix the output classifier could share"});
      d.notes.push_back({{},
                         "remove the weight_tying line, or use a model that starts with an "
                         "embedding of the classifier's width"});
    }
  }

  // Image methods on a text task, and sequence methods on an image task,
  // would do nothing (or fail at run time): reject them here.
  void checkInputKinds(const CheckedRecipe& out) {
    if (out.task.name.empty() || out.task.inputShape.empty()) return; // task already failed
    const InputKind task = taskInputKind(out.task.inputShape);
    auto reject = [&](const std::string& what, SourceRange where, InputKind needs) {
      Diagnostic& d = diags_.report(DiagId::WrongInputKind, where,
                                    what + " acts on " + inputKindName(needs) + ", but task '" +
                                        out.task.name + "' gives " + inputKindName(task));
      d.notes.push_back({out.task.where, "the task's input shape is declared here"});
    };
    for (const MethodUse& use : out.methods) {
      const InputKind needs = methodInputKind(use.name);
      if (needs != InputKind::Any && needs != task)
        reject("method '" + use.name + "'", use.where, needs);
    }
    if (task == InputKind::Tokens)
      for (const CallSpec& a : out.augment)
        reject("augmentation '" + a.kind + "'", a.where, InputKind::Images);
  }

  void checkComposition(const CheckedRecipe& out) {
    for (size_t j = 0; j < out.methods.size(); ++j) {
      const MethodUse& b = out.methods[j];
      for (size_t i = 0; i < j; ++i) {
        const MethodUse& a = out.methods[i];
        if (a.name == b.name) {
          Diagnostic& d = diags_.report(DiagId::DuplicateMethod, b.where,
                                        "method '" + b.name + "' is applied twice");
          d.notes.push_back({a.where, "first applied here"});
          continue;
        }
        const auto& ca = signatures_.at(a.name).conflicts;
        const auto& cb = signatures_.at(b.name).conflicts;
        if (std::find(ca.begin(), ca.end(), b.name) != ca.end() ||
            std::find(cb.begin(), cb.end(), a.name) != cb.end()) {
          Diagnostic& d = diags_.report(DiagId::MethodConflict, b.where,
                                        "method '" + b.name + "' conflicts with '" + a.name + "'");
          d.notes.push_back({a.where, "'" + a.name + "' is applied here"});
          d.notes.push_back(
              {{}, "use one of them, or drop the inherited one with `drop " + a.name + "`"});
        }
      }
    }
  }

  // Hooks fire in the order of the checked methods: by phase, then after the
  // methods each declares `after`, then by name. The recipe's written order
  // plays no part, so reordering a recipe's lines never changes the plan.
  void orderByPhase(CheckedRecipe& out) {
    std::vector<MethodUse> pending = std::move(out.methods);
    out.methods.clear();
    auto waitsFor = [&](const MethodUse& m) {
      for (const std::string& dep : signatures_.at(m.name).after)
        for (const MethodUse& other : pending)
          if (other.name == dep) return true;
      return false;
    };
    auto before = [&](const MethodUse& a, const MethodUse& b) {
      const int pa = signatures_.at(a.name).phaseRank, pb = signatures_.at(b.name).phaseRank;
      return pa != pb ? pa < pb : a.name < b.name;
    };
    while (!pending.empty()) {
      auto next = pending.end();
      for (auto it = pending.begin(); it != pending.end(); ++it)
        if (!waitsFor(*it) && (next == pending.end() || before(*it, *next))) next = it;
      if (next == pending.end()) {
        Diagnostic& d = diags_.report(DiagId::MethodConflict, pending.front().where,
                                      "the `after` relations of these methods form a cycle");
        for (const MethodUse& m : pending)
          d.notes.push_back({m.where, "'" + m.name + "'"});
        return;
      }
      out.methods.push_back(std::move(*next));
      pending.erase(next);
    }
  }

private:
  const Program& program_;
  DiagnosticEngine& diags_;
  std::map<std::string, MethodSignature> signatures_;
};

std::vector<ast::RecipeItem> parseOverrides(const CheckRequest& request, SourceManager& sources,
                                            DiagnosticEngine& diags) {
  std::vector<ast::RecipeItem> items;
  for (size_t i = 0; i < request.overrides.size(); ++i) {
    std::string name = "<override " + std::to_string(i + 1) + ">";
    sources.add(name, request.overrides[i]);
    if (auto item = parseRecipeItem(name, request.overrides[i], diags))
      items.push_back(std::move(*item));
  }
  for (const std::string& drop : request.drops) {
    ast::RecipeItem item;
    item.kind = ast::RecipeItem::Kind::Drop;
    item.key.text = drop;
    sources.add("<drop " + drop + ">", drop);
    item.key.range.begin = {"<drop " + drop + ">", 1, 1, 0};
    item.key.range.length = static_cast<uint32_t>(drop.size());
    items.push_back(std::move(item));
  }
  return items;
}

// The loaded file that `range` points into, if any.
const ast::File* fileOf(const Program& program, const SourceRange& range) {
  for (const auto& f : program.files)
    if (f->path == range.begin.file) return f.get();
  return nullptr;
}

// Whether `range` lies in a declaration that lost items to syntax errors.
bool inDamagedDeclaration(const Program& program, const SourceRange& range) {
  const ast::File* f = fileOf(program, range);
  if (!f) return false;
  for (const SourceRange& d : f->damaged)
    if (range.begin.offset >= d.begin.offset && range.begin.offset < d.begin.offset + d.length)
      return true;
  return false;
}

// Sema reads only complete syntax trees: after a syntax error or a missing
// import, further diagnostics would mostly be echoes of the first one. Name
// clashes are not fatal: the first definition is kept and checking goes on.
// With `acceptRecovered`, a file whose syntax errors the parser skipped over
// is checked (`5rc check`, the editor), its damaged declarations excepted.
bool loadFailed(const Program& program, const DiagnosticEngine& diags,
                bool acceptRecovered = false) {
  if (!program.main) return true;
  for (const Diagnostic& d : diags.diagnostics()) {
    switch (d.id) {
    case DiagId::SyntaxError:
      if (acceptRecovered) {
        const ast::File* f = fileOf(program, d.range);
        if (f && f->recovered) break;
      }
      return true;
    case DiagId::UnterminatedString:
    case DiagId::ImportNotFound:
    case DiagId::InvalidNumber:
      return true;
    default:
      break;
    }
  }
  return false;
}

} // namespace

std::string resolveStdlibDir(const std::string& requested) {
  if (!requested.empty()) return requested;
  if (const char* env = std::getenv("FIVER_STDLIB"); env && *env) return env;
  return FIVER_STDLIB_DIR;
}

std::optional<CheckedRecipe> checkRecipe(const CheckRequest& request, SourceManager& sources,
                                         DiagnosticEngine& diags) {
  Program program =
      loadProgram(request.path, request.text, resolveStdlibDir(request.stdlibDir), sources, diags);
  if (loadFailed(program, diags)) return std::nullopt;
  const ast::Recipe* recipe = nullptr;
  if (request.recipe.empty()) {
    if (!program.main->recipes.empty()) recipe = &program.main->recipes.back();
  } else if (auto it = program.recipes.find(request.recipe); it != program.recipes.end()) {
    recipe = it->second;
  }
  if (!recipe) {
    diags.report(DiagId::UnknownRecipe, {},
                 request.recipe.empty() ? request.path + " declares no recipe"
                                        : "no recipe named '" + request.recipe + "'");
    return std::nullopt;
  }
  size_t errorsBeforeOverrides = diags.errorCount();
  std::vector<ast::RecipeItem> overrides = parseOverrides(request, sources, diags);
  if (diags.errorCount() != errorsBeforeOverrides) return std::nullopt;
  RecipeChecker checker(program, diags);
  std::optional<CheckedRecipe> out = checker.check(*recipe, overrides);
  if (diags.hasErrors()) return std::nullopt; // also name clashes found while loading
  if (out) {
    out->file = request.path;
    out->provenance = request.overrides;
    for (const std::string& d : request.drops)
      out->provenance.push_back("drop " + d);
  }
  return out;
}

bool checkFile(const CheckRequest& request, SourceManager& sources, DiagnosticEngine& diags) {
  Program program =
      loadProgram(request.path, request.text, resolveStdlibDir(request.stdlibDir), sources, diags);
  return checkLoadedFile(program, diags);
}

bool checkLoadedFile(const Program& program, DiagnosticEngine& diags) {
  if (loadFailed(program, diags, true)) return false;
  // Declarations are checked on their own and again where recipes use them:
  // collect separately and forward each distinct diagnostic once.
  DiagnosticEngine local;
  RecipeChecker checker(program, local);
  for (const ast::TaskDecl& t : program.main->tasks) {
    TaskSpec ignored;
    checker.checkTaskDecl(t, ignored);
  }
  for (const ast::ModelDecl& m : program.main->models)
    checker.checkModelDecl(m);
  for (const ast::Recipe& r : program.main->recipes)
    checker.check(r, {});
  for (const ast::StudyDecl& s : program.main->studies)
    checkStudyDecl(s, program, local);
  std::set<std::tuple<int, std::string, uint32_t, uint32_t, std::string>> seen;
  for (const Diagnostic& d : local.diagnostics()) {
    const SourceLoc& at = d.range.begin;
    if (!seen.emplace(static_cast<int>(d.id), at.file, at.offset, d.range.length, d.message).second)
      continue;
    if (inDamagedDeclaration(program, d.range)) continue; // echoes of its syntax errors
    diags.report(d.id, d.range, d.message) = d;
  }
  return !diags.hasErrors();
}

std::vector<CheckedRecipe> cleanRecipesOf(const Program& program, const DiagnosticEngine& loaded) {
  std::vector<CheckedRecipe> out;
  if (loadFailed(program, loaded, true)) return out;
  DiagnosticEngine reported; // already reported by checkLoadedFile
  RecipeChecker checker(program, reported);
  for (const ast::Recipe& r : program.main->recipes) {
    if (inDamagedDeclaration(program, r.name.range)) continue;
    std::optional<CheckedRecipe> checked = checker.check(r, {});
    if (!checked) continue;
    checked->file = program.main->path;
    out.push_back(std::move(*checked));
  }
  return out;
}

std::optional<CheckedStudy> checkStudy(const CheckRequest& request, SourceManager& sources,
                                       DiagnosticEngine& diags) {
  Program program =
      loadProgram(request.path, request.text, resolveStdlibDir(request.stdlibDir), sources, diags);
  if (loadFailed(program, diags)) return std::nullopt;
  const ast::StudyDecl* decl = nullptr;
  if (request.recipe.empty()) {
    if (!program.main->studies.empty()) decl = &program.main->studies.back();
  } else if (auto it = program.studies.find(request.recipe); it != program.studies.end()) {
    decl = it->second;
  }
  if (!decl) {
    diags.report(DiagId::UnknownRecipe, {},
                 request.recipe.empty() ? request.path + " declares no study"
                                        : "no study named '" + request.recipe + "'");
    return std::nullopt;
  }
  std::optional<CheckedStudy> study = checkStudyDecl(*decl, program, diags);
  if (!study) return std::nullopt;
  RecipeChecker checker(program, diags);
  for (const std::string& name : study->recipes)
    checker.check(*program.recipes.at(name), {});
  if (diags.hasErrors()) return std::nullopt;
  study->file = request.path;
  return study;
}

} // namespace fiver
