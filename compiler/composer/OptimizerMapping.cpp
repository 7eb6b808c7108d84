// Composer's optimizers and schedulers as FiveR's `optimizer` and `schedule`
// settings. Parameter ranges come from FiveR's builtin tables.
#include "compiler/composer/ComposerValues.h"
#include "compiler/composer/TrainerMapping.h"
#include "compiler/sema/Builtins.h"

#include <cmath>
#include <cstdio>
#include <string>

namespace fiver::composer {

namespace {

// A FiveR call (`sgd(lr: 0.1, ...)`) assembled argument by argument, each
// checked against the builtin's declared range at the YAML it came from.
class CallBuilder {
public:
  CallBuilder(std::string kind, const BuiltinTable& table, const MappingContext& cx)
      : kind_(std::move(kind)), specs_(table.at(kind_)), cx_(cx) {}

  void set(const std::string& name, Value v, const YAML::Node& at) {
    for (const ParamSpec& p : specs_) {
      if (p.name != name) continue;
      if (v.kind == Value::Kind::Number &&
          ((p.low && v.number < *p.low) || (p.high && v.number > *p.high))) {
        cx_.diags.report(DiagId::ParameterRange, cx_.yaml.rangeOf(at),
                         kind_ + "(" + name + ": " + toString(v) + ") is outside its range " +
                             rangeText(p, v.unit));
        failed_ = true;
        return;
      }
      args_.emplace_back(name, std::move(v));
    }
  }
  // A value read from the YAML: nullopt (already reported) fails the call.
  void set(const std::string& name, const std::optional<Value>& v, const YAML::Node& at) {
    if (v)
      set(name, *v, at);
    else
      failed_ = true;
  }
  std::optional<std::string> text() const {
    if (failed_) return std::nullopt;
    if (args_.empty()) return kind_;
    std::string s = kind_ + "(";
    for (const ParamSpec& p : specs_) // in the declaration's order
      for (const auto& [name, v] : args_)
        if (name == p.name) s += (s.back() == '(' ? "" : ", ") + name + ": " + toString(v);
    return s + ")";
  }

private:
  std::string kind_;
  const std::vector<ParamSpec>& specs_;
  const MappingContext& cx_;
  std::vector<std::pair<std::string, Value>> args_;
  bool failed_ = false;
};

std::string fourDigits(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

struct OptimizerRow {
  const char* composer;
  const char* fiver;
  bool decoupled; // weight decay not multiplied by the learning rate
  const char* lr;
  const char* betas;
  const char* weightDecay;
};

// Defaults as torch.optim and composer.optim declare them.
constexpr OptimizerRow kOptimizers[] = {
    {"sgd", "sgd", false, "", "", "0"},
    {"decoupled_sgdw", "sgd", true, "", "", "0"},
    {"adamw", "adamw", false, "1.0e-3", "[0.9, 0.999]", "1.0e-2"},
    {"decoupled_adamw", "adamw", true, "1.0e-3", "[0.9, 0.95]", "1.0e-5"},
    {"adam", "adamw", false, "1.0e-3", "[0.9, 0.999]", "0"},
};

// One optimizer or scheduler: its key and hyperparameters, from either
// `{sgd: {...}}`, `[{sgd: {...}}]` or `{name: sgd, ...}`.
struct NamedBlock {
  YAML::Node key, params;
  std::string name;
};

std::vector<NamedBlock> namedBlocks(const YAML::Node& value, const MappingContext& cx) {
  std::vector<NamedBlock> out;
  if (value.IsMap() && value["name"] && value["name"].IsScalar()) {
    out.push_back({value["name"], value, value["name"].Scalar()});
    return out;
  }
  auto addMap = [&](const YAML::Node& m) {
    for (const auto& e : m)
      out.push_back({e.first, e.second, e.first.Scalar()});
  };
  if (value.IsMap()) {
    addMap(value);
  } else if (value.IsSequence()) {
    for (const YAML::Node& item : value)
      if (item.IsMap()) addMap(item);
  }
  if (out.empty())
    cx.diags.report(DiagId::ComposerValue, cx.yaml.rangeOf(value),
                    "expected `name: {hyperparameters}`, not '" + valueText(value) + "'");
  return out;
}

YAML::Node paramOr(const NamedBlock& b, const char* key, const char* fallback) {
  if (b.params.IsMap() && b.params[key]) return b.params[key];
  return YAML::Load(fallback);
}

// The YAML that gave a value: the hyperparameter where written, else the
// block's key (Composer's default was used).
YAML::Node placeOf(const NamedBlock& b, const char* key) {
  return b.params.IsMap() && b.params[key] ? b.params[key] : b.key;
}

// A number or boolean hyperparameter, or Composer's default; E0801 when the
// YAML wrote something else.
std::optional<Value> typedParam(const NamedBlock& b, const char* key, const char* fallback,
                                const char* type, const MappingContext& cx) {
  const YAML::Node v = paramOr(b, key, fallback);
  std::optional<Value> out = valueForType(v, type);
  if (!out)
    cx.diags.report(DiagId::ComposerValue, cx.yaml.rangeOf(placeOf(b, key)),
                    b.name + "." + key + " is " + describeParamType(type) + ", not '" +
                        valueText(v) + "'");
  if (out) out->isInteger = false; // optimizer and schedule parameters are floats
  return out;
}

// A hyperparameter FiveR lacks: fine at its neutral value, a warning otherwise.
void checkNeutral(const NamedBlock& b, const char* key, const char* neutral,
                  const MappingContext& cx, ImportedRecipe& out) {
  if (!b.params.IsMap() || !b.params[key] || sameComposerValue(b.params[key], neutral)) return;
  cx.diags.report(DiagId::ComposerHyperparameterUnmapped, cx.yaml.rangeOf(b.params[key]),
                  b.name + "." + key + " " + valueText(b.params[key]) +
                      " has no FiveR equivalent; FiveR behaves as with " + neutral);
  out.decisions.push_back("left out " + b.name + "." + key + " " + valueText(b.params[key]));
}

void warnUnknownParams(const NamedBlock& b, std::initializer_list<const char*> known,
                       const MappingContext& cx, ImportedRecipe& out) {
  if (!b.params.IsMap()) return;
  for (const auto& e : b.params) {
    const std::string k = e.first.Scalar();
    bool ok = k == "name";
    for (const char* n : known)
      ok |= k == n;
    if (ok) continue;
    cx.diags.report(DiagId::ComposerHyperparameterUnmapped, cx.yaml.rangeOf(e.first),
                    "'" + k + "' of Composer's " + b.name +
                        " has no FiveR equivalent; it is left out");
    out.decisions.push_back("left out " + b.name + "." + k);
  }
}

bool warnExtraBlocks(const std::vector<NamedBlock>& blocks, const char* what,
                     const MappingContext& cx) {
  for (size_t i = 1; i < blocks.size(); ++i)
    cx.diags.report(DiagId::ComposerKeyUnmapped, cx.yaml.rangeOf(blocks[i].key),
                    std::string("FiveR trains with one ") + what + "; '" + blocks[i].name +
                        "' is left out");
  return !blocks.empty();
}

} // namespace

void mapOptimizers(const YAML::Node& key, const YAML::Node& value, const MappingContext& cx,
                   ImportedRecipe& out) {
  std::vector<NamedBlock> blocks = namedBlocks(value, cx);
  if (!warnExtraBlocks(blocks, "optimizer", cx)) return;
  const NamedBlock& b = blocks.front();
  const OptimizerRow* row = nullptr;
  for (const OptimizerRow& r : kOptimizers)
    if (b.name == r.composer) row = &r;
  if (!row) {
    cx.diags.report(DiagId::ComposerKeyUnmapped, cx.yaml.rangeOf(b.key),
                    "Composer optimizer '" + b.name +
                        "' has no FiveR counterpart (FiveR has sgd and adamw; lamb and lars are "
                        "methods); the base's optimizer is used");
    return;
  }
  CallBuilder call(row->fiver, builtinOptimizers(), cx);
  const YAML::Node lr = paramOr(b, "lr", row->lr);
  std::optional<double> rate = scalarNumber(lr);
  if (!rate || *rate <= 0) {
    cx.diags.report(DiagId::ComposerValue, cx.yaml.rangeOf(placeOf(b, "lr")),
                    "Composer's " + b.name + " needs a positive lr");
    return;
  }
  call.set("lr", Value::num(*rate), placeOf(b, "lr"));
  const YAML::Node wdNode = paramOr(b, "weight_decay", row->weightDecay);
  std::optional<Value> decay = typedParam(b, "weight_decay", row->weightDecay, "float", cx);
  if (!decay) return;
  double wd = decay->number;
  if (row->decoupled && wd != 0) {
    out.decisions.push_back(b.name + ".weight_decay " + valueText(wdNode) + " -> " + row->fiver +
                            "(weight_decay: " + fourDigits(wd / *rate) +
                            "): Composer's decoupled decay is not scaled by the learning rate");
    wd = std::stod(fourDigits(wd / *rate));
  }
  if (std::string(row->fiver) == "sgd") {
    call.set("momentum", typedParam(b, "momentum", "0", "float", cx), placeOf(b, "momentum"));
    call.set("nesterov", typedParam(b, "nesterov", "false", "bool", cx), placeOf(b, "nesterov"));
    checkNeutral(b, "dampening", "0", cx, out);
    warnUnknownParams(b, {"lr", "momentum", "dampening", "weight_decay", "nesterov"}, cx, out);
  } else {
    const YAML::Node betas = paramOr(b, "betas", row->betas);
    std::optional<double> b1, b2;
    if (betas.IsSequence() && betas.size() == 2) {
      b1 = scalarNumber(betas[0]);
      b2 = scalarNumber(betas[1]);
    }
    if (!b1 || !b2)
      cx.diags.report(DiagId::ComposerValue, cx.yaml.rangeOf(placeOf(b, "betas")),
                      b.name + ".betas is a list of two numbers, not '" + valueText(betas) + "'");
    call.set("beta1", b1 ? std::optional(Value::num(*b1)) : std::nullopt, placeOf(b, "betas"));
    call.set("beta2", b2 ? std::optional(Value::num(*b2)) : std::nullopt, placeOf(b, "betas"));
    call.set("eps", typedParam(b, "eps", "1.0e-8", "float", cx), placeOf(b, "eps"));
    checkNeutral(b, "amsgrad", "false", cx, out);
    if (b.name == "adam" && wd != 0) { // L2 through Adam's moments is not AdamW's decay
      checkNeutral(b, "weight_decay", "0", cx, out);
      wd = 0;
    }
    warnUnknownParams(b, {"lr", "betas", "eps", "weight_decay", "amsgrad"}, cx, out);
  }
  call.set("weight_decay", Value::num(wd), placeOf(b, "weight_decay"));
  if (std::optional<std::string> text = call.text()) out.settings.emplace_back("optimizer", *text);
  if (b.name != row->fiver) out.decisions.push_back("optimizer " + b.name + " -> " + row->fiver);
}

namespace {

struct ScheduleRow {
  const char* composer;
  const char* fiver;
};

constexpr ScheduleRow kSchedules[] = {
    {"constant", "constant"},
    {"constant_with_warmup", "constant"},
    {"cosine_decay", "cosine"},
    {"cosine_decay_with_warmup", "cosine"},
    {"cosine_with_warmup", "cosine"}, // LLM Foundry's name
    {"linear_decay", "linear"},
    {"linear_decay_with_warmup", "linear"},
    {"step", "step"},
    {"multistep", "step"},
    {"multistep_with_warmup", "step"},
};

std::optional<Value> percentOf(const YAML::Node& node, const MappingContext& cx,
                               ImportedRecipe& out, const std::string& what) {
  std::optional<std::string> text = scalarText(node);
  std::optional<ComposerTime> t = text ? parseComposerTime(*text) : std::nullopt;
  if (!t) {
    cx.diags.report(DiagId::ComposerValue, cx.yaml.rangeOf(node),
                    what + " is a time such as 8ep, 500ba or 0.1dur, not '" + valueText(node) +
                        "'");
    return std::nullopt;
  }
  std::string why;
  std::optional<Value> v = toPercentOfRun(*t, cx.run, &why);
  if (!v) {
    cx.diags.report(DiagId::ComposerUnitUnmapped, cx.yaml.rangeOf(node),
                    what + " " + valueText(node) + " cannot be converted: " + why +
                        "; it is left out");
  } else if (t->unit != TimeUnit::Duration) {
    out.decisions.push_back(what + " " + valueText(node) + " -> " + toString(*v) + " of " +
                            cx.run.describe);
  }
  return v;
}

// FiveR's `step` decays every `every`: Composer's milestones must be evenly
// spaced (m, 2m, 3m, ...).
void mapMilestones(const NamedBlock& b, CallBuilder& call, const MappingContext& cx,
                   ImportedRecipe& out) {
  const YAML::Node ms = b.params.IsMap() ? b.params["milestones"] : YAML::Node();
  if (!ms || !ms.IsSequence() || ms.size() == 0) {
    cx.diags.report(DiagId::ComposerValue, cx.yaml.rangeOf(ms ? ms : b.key),
                    "Composer's " + b.name + " needs a list of milestones");
    return;
  }
  std::vector<double> at;
  for (const YAML::Node& m : ms)
    if (std::optional<Value> v = percentOf(m, cx, out, b.name + ".milestones"))
      at.push_back(v->number);
  if (at.size() != ms.size()) return;
  for (size_t i = 0; i < at.size(); ++i)
    if (std::fabs(at[i] - at[0] * static_cast<double>(i + 1)) > 0.01) {
      cx.diags.report(DiagId::ComposerHyperparameterUnmapped, cx.yaml.rangeOf(ms),
                      "milestones " + valueText(ms) +
                          " are not evenly spaced; FiveR's step "
                          "schedule decays every " +
                          toString(Value::num(at[0], Unit::Percent)) + " of the budget");
      break;
    }
  call.set("every", Value::num(at[0], Unit::Percent), ms);
}

} // namespace

void mapSchedulers(const YAML::Node& key, const YAML::Node& value, const MappingContext& cx,
                   ImportedRecipe& out) {
  (void)key;
  std::vector<NamedBlock> blocks = namedBlocks(value, cx);
  if (!warnExtraBlocks(blocks, "learning-rate schedule", cx)) return;
  const NamedBlock& b = blocks.front();
  const ScheduleRow* row = nullptr;
  for (const ScheduleRow& r : kSchedules)
    if (b.name == r.composer) row = &r;
  if (!row) {
    cx.diags.report(DiagId::ComposerKeyUnmapped, cx.yaml.rangeOf(b.key),
                    "Composer scheduler '" + b.name +
                        "' has no FiveR counterpart; the base's "
                        "schedule is used");
    out.decisions.push_back("left out scheduler " + b.name + ": the base's schedule");
    return;
  }
  CallBuilder call(row->fiver, builtinSchedules(), cx);
  if (b.params.IsMap() && b.params["t_warmup"])
    if (std::optional<Value> w = percentOf(b.params["t_warmup"], cx, out, b.name + ".t_warmup"))
      call.set("warmup", *w, b.params["t_warmup"]);
  if (b.name == "step" && b.params.IsMap() && b.params["step_size"])
    if (std::optional<Value> e = percentOf(b.params["step_size"], cx, out, "step.step_size"))
      call.set("every", *e, b.params["step_size"]);
  if (b.name.rfind("multistep", 0) == 0) mapMilestones(b, call, cx, out);
  if (std::string(row->fiver) == "step") {
    call.set("gamma", typedParam(b, "gamma", "0.1", "float", cx), placeOf(b, "gamma"));
  }
  checkNeutral(b, "t_max", "1dur", cx, out);
  checkNeutral(b, "alpha_f", "0.0", cx, out);
  checkNeutral(b, "alpha_i", "1.0", cx, out);
  checkNeutral(b, "alpha", "1.0", cx, out);
  checkNeutral(b, "scale_warmup", "false", cx, out);
  warnUnknownParams(b,
                    {"t_warmup", "t_max", "alpha_f", "alpha_i", "alpha", "scale_warmup",
                     "step_size", "milestones", "gamma"},
                    cx, out);
  if (std::optional<std::string> text = call.text()) out.settings.emplace_back("schedule", *text);
  out.decisions.push_back("scheduler " + b.name + " -> schedule " + row->fiver);
}

} // namespace fiver::composer
