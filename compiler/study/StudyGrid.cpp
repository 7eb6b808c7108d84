#include "compiler/study/StudyGrid.h"

#include <algorithm>

namespace fiver::study {

std::string budgetText(const Budget& budget) {
  return toString(
      Value::num(budget.amount, budget.unit, budget.amount == static_cast<int64_t>(budget.amount)));
}

std::string baselineLabel(const StudyBaseline& baseline) {
  if (baseline.args.empty()) return baseline.kind;
  std::string label = baseline.kind + "(";
  bool first = true;
  for (const auto& [name, value] : baseline.args) {
    label += (first ? "" : ", ") + name + ": " + toString(value);
    first = false;
  }
  return label + ")";
}

std::string smallerModelItem(const ModelSpec& referenceModel, const StudyBaseline& baseline) {
  ParamMap args = referenceModel.args;
  for (const auto& [name, value] : baseline.args)
    args[name] = value;
  std::string item = "model " + referenceModel.name + "(";
  bool first = true;
  for (const auto& [name, value] : args) {
    item += (first ? "" : ", ") + name + ": " + toString(value);
    first = false;
  }
  return item + ")";
}

bool hasBaseline(const CheckedStudy& study, const std::string& kind) {
  return std::any_of(study.baselines.begin(), study.baselines.end(),
                     [&](const StudyBaseline& b) { return b.kind == kind; });
}

std::vector<RunSpec> expandGrid(const CheckedStudy& study, const ModelSpec& referenceModel) {
  std::vector<RunSpec> runs;
  auto addRuns = [&](const std::string& recipe, const std::string& variant,
                     const std::vector<std::string>& extra) {
    for (const Budget& budget : study.budgets)
      for (uint64_t seed : study.seeds) {
        RunSpec r{recipe, variant, budgetText(budget), seed, {}};
        r.overrides = {"budget " + r.budget, "seed " + std::to_string(seed)};
        r.overrides.insert(r.overrides.end(), extra.begin(), extra.end());
        runs.push_back(std::move(r));
      }
  };
  bool epochCount = hasBaseline(study, kEpochCount);
  for (size_t i = 0; i < study.recipes.size(); ++i)
    addRuns(study.recipes[i], i == 0 && epochCount ? kEpochCount : kRecipeVariant, {});
  for (const StudyBaseline& b : study.baselines)
    if (b.kind == kSmallerModel)
      addRuns(study.recipes.front(), baselineLabel(b), {smallerModelItem(referenceModel, b)});
  return runs;
}

std::string seriesName(const std::string& recipe, const std::string& variant) {
  return variant == kRecipeVariant ? recipe : variant;
}

} // namespace fiver::study
