// The runs a study asks for: every recipe at every budget and seed, plus the
// automatic baselines, each as the recipe items that override the recipe.
#pragma once

#include "compiler/sema/CheckedRecipe.h"
#include "compiler/sema/StudyCheck.h"

#include <cstdint>
#include <string>
#include <vector>

namespace fiver::study {

// The variant of the study's recipes and of the reference's baselines.
inline constexpr const char* kRecipeVariant = "recipe";
inline constexpr const char* kEpochCount = "epoch_count";
inline constexpr const char* kEarlyStop = "early_stop";
inline constexpr const char* kSmallerModel = "smaller_model";

struct RunSpec {
  std::string recipe;
  std::string variant; // kRecipeVariant, kEpochCount or a smaller_model(...) label
  std::string budget;  // "2 epochs"
  uint64_t seed = 0;
  std::vector<std::string> overrides; // recipe items, as `5rc run --set` takes them
};

// "2 epochs", "30 steps", "50%".
std::string budgetText(const Budget& budget);
// "smaller_model(width: 16)": the baseline as the study wrote it.
std::string baselineLabel(const StudyBaseline& baseline);
// `model small_cnn(width: 16)`: the reference's model with the baseline's
// arguments replacing its own.
std::string smallerModelItem(const ModelSpec& referenceModel, const StudyBaseline& baseline);

bool hasBaseline(const CheckedStudy& study, const std::string& kind);

// Every run, recipes first (the reference's runs are the epoch_count
// baseline when the study asks for it), then each smaller_model baseline.
// early_stop needs no runs of its own: it reads the reference's longest runs.
std::vector<RunSpec> expandGrid(const CheckedStudy& study, const ModelSpec& referenceModel);

// The series a run belongs to in tables and plots: a recipe's name, or the
// baseline's label.
std::string seriesName(const std::string& recipe, const std::string& variant);

} // namespace fiver::study
