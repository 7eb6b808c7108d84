#include "compiler/composer/AlgorithmMapping.h"

#include "compiler/composer/AlgorithmTable.h"
#include "compiler/composer/ComposerValues.h"

#include <cmath>
#include <optional>
#include <set>

namespace fiver::composer {

namespace {

// What a conversion reads, for the message when a value is not that.
std::string expectedForm(Conversion c, const std::string& type) {
  switch (c) {
  case Conversion::Same:
    return describeParamType(type);
  case Conversion::FractionToPercent:
  case Conversion::RemainderPercent:
    return "a fraction between 0 and 1";
  case Conversion::TimeToDuration:
  case Conversion::TimeToPercent:
    return "a time such as 100ba, 2ep or 0.5dur";
  case Conversion::InverseFraction:
  case Conversion::FreezeLevel:
    return "a fraction above 0, at most 1";
  case Conversion::SmoothingToHalfLife:
    return "a number between 0 and 1";
  default:
    return "a number";
  }
}

// One algorithm of the block, mapped rule by rule.
class AlgorithmMapper {
public:
  AlgorithmMapper(const AlgorithmRow& row, const MethodSignature& method, const YAML::Node& key,
                  const MappingContext& cx, ImportedRecipe& out)
      : row_(row), method_(method), key_(key), cx_(cx), out_(out) {}

  std::optional<MethodLine> map(const YAML::Node& params);

private:
  struct Effective {
    YAML::Node node;
    bool written = false;
  };

  std::optional<Effective> effective(std::string_view name) const;
  bool readHyperparameters(const YAML::Node& params);
  void applyRule(const HyperparameterRule& rule);
  void applyUnmapped(const HyperparameterRule& rule);
  std::optional<Value> convert(const HyperparameterRule& rule, const Effective& v,
                               std::string& fiverName);
  std::optional<Value> convertSpecial(const HyperparameterRule& rule, const Effective& v,
                                      std::string& fiverName);
  std::optional<double> freezeEnd(const Effective& v);
  std::optional<Value> convertTime(const HyperparameterRule& rule, const Effective& v,
                                   const std::string& fiverName);
  void setArg(const std::string& name, Value v, const Effective& at, const std::string& from);
  const ParamSpec* spec(std::string_view name) const;
  SourceRange where(const Effective& e) const {
    return cx_.yaml.rangeOf(e.written ? e.node : key_);
  }
  std::string shown(std::string_view name, const Effective& e) const {
    return std::string(row_.composer) + "." + std::string(name) + " " + valueText(e.node) +
           (e.written ? "" : " (Composer's default)");
  }

  const AlgorithmRow& row_;
  const MethodSignature& method_;
  YAML::Node key_;
  const MappingContext& cx_;
  ImportedRecipe& out_;
  std::map<std::string, YAML::Node> given_;
  std::map<std::string, Value> args_;
  bool failed_ = false;
  bool reported_ = false; // the last conversion reported why it failed
};

std::optional<AlgorithmMapper::Effective> AlgorithmMapper::effective(std::string_view name) const {
  auto it = given_.find(std::string(name));
  if (it != given_.end()) return Effective{it->second, true};
  for (const HyperparameterRule& rule : row_.hyperparameters)
    if (rule.composer == name && !rule.composerDefault.empty())
      return Effective{YAML::Load(std::string(rule.composerDefault)), false};
  return std::nullopt;
}

bool AlgorithmMapper::readHyperparameters(const YAML::Node& params) {
  if (!params || params.IsNull()) return true;
  if (!params.IsMap()) {
    cx_.diags.report(DiagId::ComposerValue, cx_.yaml.rangeOf(params),
                     "Composer's " + std::string(row_.composer) +
                         " takes a map of hyperparameters (write `{}` for none)");
    return false;
  }
  for (const auto& entry : params) {
    const std::string name = entry.first.Scalar();
    bool known = false;
    for (const HyperparameterRule& rule : row_.hyperparameters)
      known |= rule.composer == name;
    if (known) {
      given_[name] = entry.second;
      continue;
    }
    cx_.diags.report(DiagId::ComposerHyperparameterUnmapped, cx_.yaml.rangeOf(entry.first),
                     "'" + name + "' is not a hyperparameter of Composer's " +
                         std::string(row_.composer) + " that FiveR knows; it is left out");
    out_.decisions.push_back("left out " + std::string(row_.composer) + "." + name +
                             ": not a hyperparameter FiveR knows");
  }
  return true;
}

const ParamSpec* AlgorithmMapper::spec(std::string_view name) const {
  for (const ParamSpec& p : method_.params)
    if (p.name == name) return &p;
  return nullptr;
}

void AlgorithmMapper::setArg(const std::string& name, Value v, const Effective& at,
                             const std::string& from) {
  const ParamSpec* p = spec(name);
  if (!p) {
    cx_.diags.report(DiagId::ComposerHyperparameterUnmapped, where(at),
                     "FiveR's " + method_.name + " has no parameter '" + name + "' for " + from +
                         "; it is left out");
    return;
  }
  if (!valueFitsType(v, p->type)) {
    cx_.diags.report(DiagId::ComposerValue, where(at),
                     from + " must become " + describeParamType(p->type) + " for FiveR's " +
                         method_.name + "(" + name + ")");
    failed_ = true;
    return;
  }
  if (v.kind == Value::Kind::Number &&
      ((p->low && v.number < *p->low) || (p->high && v.number > *p->high))) {
    const std::string range = rangeText(*p, v.unit);
    const std::string call = method_.name + "(" + name + ": " + toString(v) + ")";
    if (at.written) { // the author's value: theirs to change
      cx_.diags.report(DiagId::ParameterRange, where(at),
                       from + " gives " + call + ", outside its range " + range);
      failed_ = true;
    } else { // Composer's default: FiveR's own is the nearest faithful choice
      cx_.diags.report(DiagId::ComposerHyperparameterUnmapped, where(at),
                       from + " would give " + call + ", outside its range " + range +
                           "; FiveR's default is used");
      out_.decisions.push_back("left out " + from + ": outside FiveR's range " + range);
    }
    return;
  }
  if (p->defaultValue && !at.written && toString(*p->defaultValue) != toString(v))
    out_.decisions.push_back(method_.name + "(" + name + ": " + toString(v) + ") from " + from +
                             "; FiveR's default is " + toString(*p->defaultValue));
  args_[name] = std::move(v);
}

std::optional<Value> AlgorithmMapper::convert(const HyperparameterRule& rule, const Effective& v,
                                              std::string& fiverName) {
  fiverName = std::string(rule.fiver);
  const std::string from = shown(rule.composer, v);
  std::optional<double> number = scalarNumber(v.node);
  switch (rule.conversion) {
  case Conversion::Same: {
    const ParamSpec* p = spec(rule.fiver);
    if (!p) { // the stdlib renamed it: say so rather than guess
      cx_.diags.report(DiagId::ComposerHyperparameterUnmapped, where(v),
                       "FiveR's " + method_.name + " has no parameter '" + fiverName + "' for " +
                           from + "; it is left out");
      reported_ = true;
      return std::nullopt;
    }
    return valueForType(v.node, p->type);
  }
  case Conversion::FractionToPercent:
    if (number) return fractionToPercent(*number);
    return std::nullopt;
  case Conversion::RemainderPercent:
    if (!number) return std::nullopt;
    out_.decisions.push_back(from + " -> " + method_.name + "(" + fiverName + ": " +
                             toString(fractionToPercent(1 - *number)) +
                             "): the full size is reached where the fine-tuning part begins");
    return fractionToPercent(1 - *number);
  default:
    return convertSpecial(rule, v, fiverName);
  }
}

void AlgorithmMapper::applyUnmapped(const HyperparameterRule& rule) {
  std::optional<Effective> v = effective(rule.composer);
  if (!v) return;
  const bool neutral =
      !rule.neutralOrOther.empty() && sameComposerValue(v->node, rule.neutralOrOther);
  if (neutral || (rule.conversion == Conversion::FollowsModel && rule.neutralOrOther.empty())) {
    if (v->written)
      out_.decisions.push_back(shown(rule.composer, *v) + ": " + std::string(rule.why));
    return;
  }
  const std::string what = v->written ? shown(rule.composer, *v)
                                      : "Composer's default " + std::string(row_.composer) + "." +
                                            std::string(rule.composer) + " " + valueText(v->node);
  cx_.diags.report(DiagId::ComposerHyperparameterUnmapped, where(*v),
                   what + " has no FiveR equivalent: " + std::string(rule.why));
  out_.decisions.push_back("left out " + shown(rule.composer, *v) + ": " + std::string(rule.why));
}

void AlgorithmMapper::applyRule(const HyperparameterRule& rule) {
  if (rule.conversion == Conversion::Unmapped || rule.conversion == Conversion::FollowsModel)
    return applyUnmapped(rule);
  if (rule.conversion == Conversion::Consumed) return;
  std::optional<Effective> v = effective(rule.composer);
  if (!v) {
    if (rule.conversion == Conversion::Same || rule.conversion == Conversion::ClippingThreshold) {
      cx_.diags.report(DiagId::ComposerValue, cx_.yaml.rangeOf(key_),
                       "Composer's " + std::string(row_.composer) + " requires '" +
                           std::string(rule.composer) + "'");
      failed_ = true;
    }
    return;
  }
  // EMA takes either a half-life or a smoothing: a written smoothing wins
  // over the default half-life.
  if (rule.conversion == Conversion::TimeToDuration && !v->written && given_.count("smoothing"))
    return;
  std::string fiverName;
  std::optional<Value> value = convert(rule, *v, fiverName);
  if (value) return setArg(fiverName, std::move(*value), *v, shown(rule.composer, *v));
  if (!reported_) {
    const ParamSpec* p = spec(rule.fiver);
    cx_.diags.report(DiagId::ComposerValue, where(*v),
                     std::string(row_.composer) + "." + std::string(rule.composer) + " is " +
                         expectedForm(rule.conversion, p ? p->type : "float") + ", not '" +
                         valueText(v->node) + "'");
    failed_ = true;
  }
  reported_ = false;
}

std::optional<MethodLine> AlgorithmMapper::map(const YAML::Node& params) {
  if (!readHyperparameters(params)) return std::nullopt;
  for (const HyperparameterRule& rule : row_.hyperparameters)
    applyRule(rule);
  if (failed_) return std::nullopt;
  MethodLine line{method_.name, method_.triple, {}};
  for (const ParamSpec& p : method_.params) // in the declaration's order
    if (auto it = args_.find(p.name); it != args_.end()) line.args.emplace_back(p.name, it->second);
  return line;
}

std::optional<Value> AlgorithmMapper::convertSpecial(const HyperparameterRule& rule,
                                                     const Effective& v, std::string& fiverName) {
  const std::string from = shown(rule.composer, v);
  std::optional<double> number = scalarNumber(v.node);
  auto decide = [&](const Value& value, const std::string& why) {
    out_.decisions.push_back(from + " -> " + method_.name + "(" + fiverName + ": " +
                             toString(value) + ")" + (why.empty() ? "" : ": " + why));
    return value;
  };
  switch (rule.conversion) {
  case Conversion::TimeToDuration:
  case Conversion::TimeToPercent:
    return convertTime(rule, v, fiverName);
  case Conversion::InverseFraction:
    if (!number || *number <= 0) return std::nullopt;
    if (*number >= 1) {
      cx_.diags.report(DiagId::ComposerHyperparameterUnmapped, where(v),
                       from + " is a channel count; FiveR's " + method_.name + "(" + fiverName +
                           ") is a ratio of channels, so its default is used");
      out_.decisions.push_back("left out " + from + ": a count, not a fraction of the channels");
      reported_ = true;
      return std::nullopt;
    }
    return decide(Value::num(std::round(1 / *number), Unit::None, true),
                  "a width of 1/" + valueText(v.node) + " of the channels");
  case Conversion::RatioTo: {
    std::optional<Effective> other = effective(rule.neutralOrOther);
    std::optional<double> total = other ? scalarNumber(other->node) : std::nullopt;
    if (!number || !total || *total <= 0) return std::nullopt;
    return decide(Value::num(*number / *total),
                  "as a fraction of " + shown(rule.neutralOrOther, *other));
  }
  case Conversion::FreezeLevel: {
    std::optional<double> end = freezeEnd(v);
    if (!end) return std::nullopt;
    return decide(fractionToPercent(*end),
                  "the last layer freezes when freeze_level of them are frozen");
  }
  case Conversion::ClippingThreshold: {
    std::optional<Effective> type = effective("clipping_type");
    std::optional<std::string> mode = type ? scalarText(type->node) : std::nullopt;
    fiverName = mode && *mode == "adaptive" ? "clip_ratio" : "max_norm";
    if (!number) return std::nullopt;
    return Value::num(*number);
  }
  case Conversion::SmoothingToHalfLife: {
    if (given_.count("half_life")) {
      cx_.diags.report(DiagId::ComposerValue, where(v),
                       "Composer's ema takes half_life or smoothing, not both");
      failed_ = reported_ = true;
      return std::nullopt;
    }
    if (!number || *number <= 0 || *number >= 1) return std::nullopt;
    const double steps = std::max(1.0, std::round(std::log(0.5) / std::log(*number)));
    return decide(Value::num(steps, Unit::Steps, true),
                  "the half-life of a per-step smoothing of " + valueText(v.node));
  }
  default:
    return std::nullopt;
  }
}

// A Composer time as a FiveR duration, or as a fraction of the run.
std::optional<Value> AlgorithmMapper::convertTime(const HyperparameterRule& rule,
                                                  const Effective& v,
                                                  const std::string& fiverName) {
  const std::string from = shown(rule.composer, v);
  std::optional<std::string> text = scalarText(v.node);
  std::optional<ComposerTime> t = text ? parseComposerTime(*text) : std::nullopt;
  if (!t) return std::nullopt;
  std::string why;
  std::optional<Value> out = rule.conversion == Conversion::TimeToDuration
                                 ? toDuration(*t, &why)
                                 : toPercentOfRun(*t, cx_.run, &why);
  if (!out) {
    cx_.diags.report(DiagId::ComposerUnitUnmapped, where(v),
                     from + " cannot be converted: " + why + "; FiveR's default is used");
    out_.decisions.push_back("left out " + from + ": " + why);
    reported_ = true;
  } else if (rule.conversion == Conversion::TimeToPercent && t->unit != TimeUnit::Duration) {
    out_.decisions.push_back(from + " -> " + method_.name + "(" + fiverName + ": " +
                             toString(*out) + "): the fraction of " + cx_.run.describe);
  }
  return out;
}

// Composer freezes a growing fraction of the layers, from freeze_start to
// freeze_level at the end of the run; FiveR freezes the first layer at
// `start` and the last at `end`, linearly between: the same line when
// end = start + (1 - start) / freeze_level.
std::optional<double> AlgorithmMapper::freezeEnd(const Effective& v) {
  std::optional<double> level = scalarNumber(v.node);
  std::optional<Effective> startNode = effective("freeze_start");
  std::optional<double> start = startNode ? scalarNumber(startNode->node) : std::nullopt;
  if (!level || !start || *level <= 0 || *level > 1) return std::nullopt;
  const double end = *start + (1 - *start) / *level;
  if (end > 1 + 1e-9) {
    cx_.diags.report(DiagId::ComposerHyperparameterUnmapped, where(v),
                     shown("freeze_level", v) +
                         " leaves some layers training to the end; FiveR freezes every layer, "
                         "the last at the end of the run");
    reported_ = true;
  }
  return std::min(end, 1.0);
}

// Reports an algorithm FiveR has no method for, or maps it.
void mapOneAlgorithm(const YAML::Node& key, const YAML::Node& params, const MappingContext& cx,
                     ImportedRecipe& out, std::set<std::string>& seen) {
  const std::string name = key.Scalar();
  if (!seen.insert(name).second) {
    cx.diags.report(DiagId::DuplicateMethod, cx.yaml.rangeOf(key),
                    "Composer algorithm '" + name + "' is listed twice");
    return;
  }
  const AlgorithmRow* row = findComposerAlgorithm(name);
  std::string why;
  if (!row)
    why = "not an algorithm FiveR knows (`5rc explain` lists FiveR's methods)";
  else if (row->method.empty())
    why = std::string(row->why);
  else if (!cx.methods.count(std::string(row->method)))
    why = "this stdlib has no method '" + std::string(row->method) + "'";
  if (!why.empty()) {
    cx.diags.report(DiagId::ComposerAlgorithmUnmapped, cx.yaml.rangeOf(key),
                    "Composer algorithm '" + name + "' has no FiveR equivalent: " + why +
                        "; it is left out");
    out.decisions.push_back("left out algorithm " + name + ": " + why);
    return;
  }
  const MethodSignature& method = cx.methods.at(std::string(row->method));
  AlgorithmMapper mapper(*row, method, key, cx, out);
  if (std::optional<MethodLine> line = mapper.map(params)) {
    if (row->composer != row->method)
      out.decisions.push_back("algorithm " + name + " -> method " + method.name);
    out.methods.push_back(std::move(*line));
  }
}

} // namespace

void mapAlgorithms(const YAML::Node& algorithms, const MappingContext& cx, ImportedRecipe& out) {
  if (!algorithms || algorithms.IsNull()) return;
  std::vector<std::pair<YAML::Node, YAML::Node>> entries; // (key, hyperparameters)
  if (algorithms.IsMap()) {
    for (const auto& e : algorithms)
      entries.emplace_back(e.first, e.second);
  } else if (algorithms.IsSequence()) {
    for (const YAML::Node& item : algorithms) {
      if (!item.IsMap() || item.size() != 1) {
        cx.diags.report(DiagId::ComposerValue, cx.yaml.rangeOf(item),
                        "each item of `algorithms:` is one `name: {hyperparameters}` map");
        continue;
      }
      for (const auto& e : item)
        entries.emplace_back(e.first, e.second);
    }
  } else {
    cx.diags.report(DiagId::ComposerValue, cx.yaml.rangeOf(algorithms),
                    "`algorithms:` is a map (or a list) of algorithms, not a single value");
    return;
  }
  std::set<std::string> seen;
  for (const auto& [key, params] : entries)
    mapOneAlgorithm(key, params, cx, out, seen);
}

} // namespace fiver::composer
