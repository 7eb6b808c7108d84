// Composer's trainer keys (everything beside `algorithms:`) mapped where
// FiveR has the concept: max_duration (scaled by scale_schedule_ratio) ->
// budget, train_batch_size -> batch_size, seed, precision -> mixed_precision,
// optimizers -> optimizer, schedulers -> schedule. The model and the datasets
// stay the base recipe's; every other key is a warning at the key.
#pragma once

#include "compiler/composer/AlgorithmMapping.h"
#include "compiler/sema/CheckedRecipe.h"

namespace fiver::composer {

// The run's length: max_duration when the YAML gives one, else the base's budget.
RunLength runLengthOf(const YAML::Node& root, const CheckedRecipe& base);

void mapTrainerKeys(const YAML::Node& root, const MappingContext& cx, const CheckedRecipe& base,
                    ImportedRecipe& out);

// optimizers -> `optimizer`, schedulers -> `schedule` (OptimizerMapping.cpp).
void mapOptimizers(const YAML::Node& key, const YAML::Node& value, const MappingContext& cx,
                   ImportedRecipe& out);
void mapSchedulers(const YAML::Node& key, const YAML::Node& value, const MappingContext& cx,
                   ImportedRecipe& out);

} // namespace fiver::composer
