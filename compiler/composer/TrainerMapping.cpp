#include "compiler/composer/TrainerMapping.h"

#include "compiler/composer/ComposerValues.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>

namespace fiver::composer {

namespace {

// Keys that tell Composer how to run, log, evaluate or save, not what to
// train: FiveR sets these on its command line or not at all.
const std::set<std::string> kRunKeys = {
    "callbacks",
    "loggers",
    "dataloader",
    "device",
    "eval_batch_size",
    "eval_interval",
    "eval_subset_num_batches",
    "grad_accum",
    "device_train_microbatch_size",
    "run_name",
    "save_folder",
    "save_interval",
    "save_filename",
    "save_overwrite",
    "save_num_checkpoints_to_keep",
    "load_path",
    "load_weights_only",
    "autoresume",
    "progress_bar",
    "log_to_console",
    "console_log_interval",
    "python_log_level",
    "dist_timeout",
    "deterministic_mode",
    "train_subset_num_batches",
    "compile_config",
    "parallelism_config",
    "fsdp_config",
    "log_traces",
};
const std::set<std::string> kModelKeys = {"model"};
const std::set<std::string> kDataKeys = {
    "train_dataset", "val_dataset", "eval_dataset", "dataset",     "train_loader",
    "eval_loader",   "evaluators",  "datamodule",   "max_seq_len", "tokenizer"};

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::optional<ComposerTime> maxDurationOf(const YAML::Node& node) {
  if (std::optional<double> n = scalarNumber(node)) // a bare number counts epochs
    return ComposerTime{*n, TimeUnit::Epoch};
  std::optional<std::string> text = scalarText(node);
  return text ? parseComposerTime(*text) : std::nullopt;
}

void mapBudget(const YAML::Node& root, const MappingContext& cx, ImportedRecipe& out) {
  const YAML::Node node = root["max_duration"];
  std::optional<ComposerTime> t = maxDurationOf(node);
  if (!t) {
    cx.diags.report(DiagId::ComposerValue, cx.yaml.rangeOf(node),
                    "max_duration is a time such as 90ep, 1000ba or 100000sp, not '" +
                        valueText(node) + "'");
    return;
  }
  double ratio = 1;
  if (const YAML::Node ssr = root["scale_schedule_ratio"]) {
    std::optional<double> r = scalarNumber(ssr);
    if (!r || *r <= 0) {
      cx.diags.report(DiagId::ComposerValue, cx.yaml.rangeOf(ssr),
                      "scale_schedule_ratio is a positive number");
      return;
    }
    ratio = *r;
  }
  const Unit unit = fiverUnitOf(t->unit);
  if (unit == Unit::None || unit == Unit::Percent || unit == Unit::Seconds) {
    cx.diags.report(DiagId::ComposerUnitUnmapped, cx.yaml.rangeOf(node),
                    "max_duration " + valueText(node) +
                        " cannot be a FiveR budget, which counts epochs, steps or samples; the "
                        "base's budget is used");
    out.decisions.push_back("left out max_duration " + valueText(node) + ": the base's budget");
    return;
  }
  double amount = t->value * ratio;
  if (unit != Unit::Epochs) amount = std::round(amount); // steps and samples are whole
  const Value budget = Value::num(amount, unit, amount == std::floor(amount));
  out.settings.emplace_back("budget", toString(budget));
  if (ratio != 1)
    out.decisions.push_back("budget " + toString(budget) + ": max_duration " + valueText(node) +
                            " scaled by scale_schedule_ratio " +
                            valueText(root["scale_schedule_ratio"]));
}

void mapWholeNumber(const char* setting, const YAML::Node& key, const YAML::Node& value,
                    const MappingContext& cx, ImportedRecipe& out, double low) {
  std::optional<double> n = scalarNumber(value);
  if (!n || *n != std::floor(*n) || *n < low) {
    cx.diags.report(DiagId::ComposerValue, cx.yaml.rangeOf(value),
                    key.Scalar() + " is a whole number" + (low > 0 ? " above 0" : ", 0 or above") +
                        ", not '" + valueText(value) + "'");
    return;
  }
  out.settings.emplace_back(setting, toString(Value::num(*n, Unit::None, true)));
  if (key.Scalar() != setting) out.decisions.push_back(key.Scalar() + " -> " + setting);
}

// Composer's `precision` (fp32, amp_fp16, amp_bf16) is FiveR's
// mixed_precision method: present with a dtype, or dropped for fp32.
void mapPrecision(const YAML::Node& key, const YAML::Node& value, const MappingContext& cx,
                  const CheckedRecipe& base, ImportedRecipe& out) {
  const std::string text = lower(valueText(value));
  auto baseUses = [&](const std::string& m) {
    return std::any_of(base.methods.begin(), base.methods.end(),
                       [&](const MethodUse& u) { return u.name == m; });
  };
  auto it = cx.methods.find("mixed_precision");
  if (text == "fp32") {
    if (baseUses("mixed_precision")) out.drops.push_back("mixed_precision");
    return;
  }
  std::string dtype = text == "amp_bf16"                      ? "bf16"
                      : (text == "amp" || text == "amp_fp16") ? "fp16"
                                                              : "";
  if (dtype.empty() || it == cx.methods.end()) {
    cx.diags.report(DiagId::ComposerKeyUnmapped, cx.yaml.rangeOf(value),
                    "precision " + valueText(value) +
                        " has no FiveR counterpart (FiveR computes in fp32, bf16 or fp16); the "
                        "base's precision is used");
    return;
  }
  out.methods.push_back({"mixed_precision", it->second.triple, {{"dtype", Value::ident(dtype)}}});
  if (dtype == "fp16")
    out.decisions.push_back(key.Scalar() + " " + valueText(value) +
                            " -> mixed_precision(dtype: fp16), without Composer's loss scaling");
}

void warnUnmappedKey(const YAML::Node& key, const MappingContext& cx, const CheckedRecipe& base,
                     ImportedRecipe& out) {
  const std::string name = key.Scalar();
  std::string why;
  if (kModelKeys.count(name))
    why = "FiveR's models differ from Composer's; the base's model " + base.model.name + " is used";
  else if (kDataKeys.count(name))
    why = "FiveR's tasks differ from Composer's datasets; the base's task " + base.task.name +
          " is used";
  else if (kRunKeys.count(name))
    why = "it says how Composer runs, logs or saves, not what is trained";
  else
    why = "not a Composer trainer key FiveR knows";
  cx.diags.report(DiagId::ComposerKeyUnmapped, cx.yaml.rangeOf(key),
                  "Composer key '" + name + "' is not mapped: " + why);
  out.decisions.push_back("left out " + name + ": " + why);
}

} // namespace

RunLength runLengthOf(const YAML::Node& root, const CheckedRecipe& base) {
  RunLength run;
  if (const YAML::Node node = root["max_duration"]) {
    run.total = maxDurationOf(node);
    run.describe = "max_duration " + valueText(node);
    return run;
  }
  const Unit u = base.budget.unit;
  const TimeUnit unit = u == Unit::Steps     ? TimeUnit::Batch
                        : u == Unit::Samples ? TimeUnit::Sample
                                             : TimeUnit::Epoch;
  run.total = ComposerTime{base.budget.amount, unit};
  run.describe = "the base's budget " + toString(Value::num(base.budget.amount, u));
  return run;
}

void mapTrainerKeys(const YAML::Node& root, const MappingContext& cx, const CheckedRecipe& base,
                    ImportedRecipe& out) {
  for (const auto& entry : root) {
    const YAML::Node& key = entry.first;
    const YAML::Node& value = entry.second;
    const std::string name = key.Scalar();
    if (name == "algorithms") continue;   // mapAlgorithms
    if (name == "scale_schedule_ratio") { // scales max_duration
      if (!root["max_duration"]) warnUnmappedKey(key, cx, base, out);
      continue;
    }
    if (name == "max_duration")
      mapBudget(root, cx, out);
    else if (name == "train_batch_size" || name == "global_train_batch_size" ||
             name == "batch_size")
      mapWholeNumber("batch_size", key, value, cx, out, 1);
    else if (name == "seed")
      mapWholeNumber("seed", key, value, cx, out, 0);
    else if (name == "precision")
      mapPrecision(key, value, cx, base, out);
    else if (name == "optimizers" || name == "optimizer")
      mapOptimizers(key, value, cx, out);
    else if (name == "schedulers" || name == "scheduler")
      mapSchedulers(key, value, cx, out);
    else
      warnUnmappedKey(key, cx, base, out);
  }
}

} // namespace fiver::composer
