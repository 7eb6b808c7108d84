#include "compiler/sema/StudyCheck.h"

#include "compiler/sema/Params.h"
#include "compiler/sema/Suggest.h"

#include <set>

namespace fiver {

namespace {

const std::vector<std::string> kStudyKeys = {"recipes", "budgets", "seeds", "metric", "baselines"};
const std::vector<std::string> kBaselines = {"epoch_count", "early_stop", "smaller_model"};

const ast::Value* listOf(const ast::TaskItem& item, DiagnosticEngine& diags) {
  if (item.value.kind == ast::Value::Kind::List) return &item.value;
  diags.report(DiagId::SettingType, item.value.range,
               "'" + item.key.text + "' takes a list: [a, b, c]");
  return nullptr;
}

} // namespace

std::optional<CheckedStudy> checkStudyDecl(const ast::StudyDecl& decl, const Program& program,
                                           DiagnosticEngine& diags) {
  size_t before = diags.errorCount();
  CheckedStudy study;
  study.name = decl.name.text;
  study.where = decl.range;
  std::set<std::string> seen;
  for (const ast::TaskItem& item : decl.items) {
    const std::string& key = item.key.text;
    if (!seen.insert(key).second) {
      diags.report(DiagId::DuplicateParameter, item.key.range, "'" + key + "' is given twice");
      continue;
    }
    if (key == "metric") {
      if (item.value.kind == ast::Value::Kind::Name)
        study.metric = item.value.text;
      else
        diags.report(DiagId::SettingType, item.value.range, "the metric is a name");
      continue;
    }
    if (std::find(kStudyKeys.begin(), kStudyKeys.end(), key) == kStudyKeys.end()) {
      Diagnostic& d = diags.report(DiagId::UnknownSetting, item.key.range,
                                   "'" + key + "' is not a study setting");
      if (auto near = closestMatch(key, kStudyKeys))
        d.fixits.push_back({item.key.range, *near, Applicability::MaybeIncorrect});
      continue;
    }
    const ast::Value* list = listOf(item, diags);
    if (!list) continue;
    for (const ast::Value& v : list->items) {
      if (key == "recipes") {
        if (v.kind != ast::Value::Kind::Name || !program.recipes.count(v.text)) {
          std::vector<std::string> names;
          for (const auto& [n, r] : program.recipes)
            names.push_back(n);
          Diagnostic& d =
              diags.report(DiagId::UnknownRecipe, v.range, "unknown recipe '" + v.text + "'");
          if (auto near = closestMatch(v.text, names))
            d.fixits.push_back({v.range, *near, Applicability::MaybeIncorrect});
          continue;
        }
        study.recipes.push_back(v.text);
      } else if (key == "budgets") {
        if (v.kind != ast::Value::Kind::Number || v.number <= 0 ||
            (v.unit != Unit::Epochs && v.unit != Unit::Steps && v.unit != Unit::Samples)) {
          diags.report(DiagId::SettingType, v.range,
                       "a budget is a positive number of epochs, steps or samples");
          continue;
        }
        study.budgets.push_back(Budget{v.number, v.unit, v.range});
      } else if (key == "seeds") {
        if (v.kind != ast::Value::Kind::Number || !v.isInteger || v.number < 0 ||
            v.unit != Unit::None) {
          diags.report(DiagId::SettingType, v.range, "a seed is a whole number");
          continue;
        }
        study.seeds.push_back(static_cast<uint64_t>(v.number));
      } else if (key == "baselines") {
        if (v.kind != ast::Value::Kind::Name && v.kind != ast::Value::Kind::Call) {
          diags.report(DiagId::SettingType, v.range, "a baseline is a name such as epoch_count");
          continue;
        }
        SourceRange nameRange = v.kind == ast::Value::Kind::Call ? v.nameRange : v.range;
        if (std::find(kBaselines.begin(), kBaselines.end(), v.text) == kBaselines.end()) {
          Diagnostic& d = diags.report(DiagId::UnknownSetting, nameRange,
                                       "unknown baseline '" + v.text +
                                           "' (epoch_count, early_stop, smaller_model)");
          if (auto near = closestMatch(v.text, kBaselines))
            d.fixits.push_back({nameRange, *near, Applicability::MaybeIncorrect});
          continue;
        }
        StudyBaseline b;
        b.kind = v.text;
        b.where = v.range;
        for (const ast::Arg& a : v.args) {
          if (!a.name) {
            diags.report(DiagId::TooManyArguments, a.range,
                         "name the model argument to shrink, e.g. smaller_model(width: 16)");
            continue;
          }
          if (auto x = evaluate(a.value, {}, diags)) b.args[a.name->text] = *x;
        }
        if (b.kind != "smaller_model" && !v.args.empty())
          diags.report(DiagId::TooManyArguments, v.range, "'" + b.kind + "' takes no arguments");
        study.baselines.push_back(std::move(b));
      }
    }
  }
  if (study.recipes.empty())
    diags.report(DiagId::MissingSetting, decl.name.range,
                 "study '" + study.name + "' names no recipes: add `recipes [baseline, ...]`");
  if (study.budgets.size() < kMinOperatingPoints) {
    Diagnostic& d = diags.report(DiagId::MissingSetting, decl.name.range,
                                 "study '" + study.name + "' needs at least " +
                                     std::to_string(kMinOperatingPoints) + " budgets");
    d.notes.push_back({{},
                       "a speedup is only meaningful against a speed-quality curve: compare "
                       "at three or more operating points"});
  }
  // Three seeds by default: fewer give no confidence interval worth the name,
  // and a study's verdicts need one.
  if (study.seeds.empty()) study.seeds = {0, 1, 2};
  if (diags.errorCount() != before) return std::nullopt;
  return study;
}

} // namespace fiver
