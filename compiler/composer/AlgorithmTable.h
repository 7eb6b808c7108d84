// Composer's algorithms and the FiveR methods they map onto: one row per
// algorithm (its snake_case key in Composer's `algorithms:` block), one rule
// per hyperparameter. Triples, parameter types and ranges are not here: they
// are read from the method's declaration in the loaded stdlib.
#pragma once

#include <string_view>
#include <vector>

namespace fiver::composer {

// How a Composer hyperparameter's value becomes a FiveR argument.
enum class Conversion {
  Same,                // the value as it is (number, bool or name)
  FractionToPercent,   // 0.2 -> 20%
  RemainderPercent,    // 0.2 -> 80% (finetune_fraction: the part after the growth)
  TimeToDuration,      // "100ba" -> 100 steps, "0.5dur" -> 50%
  TimeToPercent,       // "0.7dur" -> 70%; "63ep" of a 90ep run -> 70%
  InverseFraction,     // 0.125 -> 8 (a width as a fraction -> a reduction factor)
  RatioTo,             // this value divided by the hyperparameter `other`
  FreezeLevel,         // layer_freezing's freeze_level -> the time the last layer freezes
  ClippingThreshold,   // to max_norm or clip_ratio, as clipping_type says
  SmoothingToHalfLife, // EMA's per-step smoothing -> its half-life in steps
  Consumed,            // read by another rule (`other` names it)
  FollowsModel,        // FiveR takes it from the model or the task
  Unmapped,            // FiveR has no equivalent
};

struct HyperparameterRule {
  std::string_view composer; // Composer's name
  std::string_view fiver;    // FiveR's parameter ("" when none)
  Conversion conversion = Conversion::Same;
  std::string_view composerDefault; // YAML text; "" when Composer requires a value
  // Unmapped/FollowsModel: the value at which FiveR behaves as Composer does
  // ("" when every value differs); RatioTo/Consumed: the other hyperparameter.
  std::string_view neutralOrOther;
  std::string_view why; // Unmapped/FollowsModel: what FiveR does instead
};

struct AlgorithmRow {
  std::string_view composer; // the key in `algorithms:`
  std::string_view method;   // FiveR's method ("" when FiveR has none)
  std::vector<HyperparameterRule> hyperparameters;
  std::string_view why; // when FiveR has no method: what to use instead, or why not
};

const std::vector<AlgorithmRow>& composerAlgorithms();
const AlgorithmRow* findComposerAlgorithm(std::string_view key);

} // namespace fiver::composer
