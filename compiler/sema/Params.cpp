#include "compiler/sema/Params.h"

#include "compiler/sema/Suggest.h"

#include <cmath>
#include <set>

namespace fiver {

namespace {

bool typeAccepts(const std::string& type, const Value& v) {
  bool number = v.kind == Value::Kind::Number;
  if (type == "int") return number && v.unit == Unit::None && v.number == std::floor(v.number);
  if (type == "float") return number && v.unit == Unit::None;
  if (type == "bool") return v.kind == Value::Kind::Bool;
  if (type == "percent") return number && v.unit == Unit::Percent;
  if (type == "duration") return number && v.unit != Unit::None;
  if (type == "string") return v.kind == Value::Kind::String || v.kind == Value::Kind::Ident;
  if (type == "name") return v.kind == Value::Kind::Ident;
  return false;
}

std::string describeType(const std::string& type) {
  if (type == "int") return "an integer";
  if (type == "float") return "a number";
  if (type == "bool") return "true or false";
  if (type == "percent") return "a percentage such as 50%";
  if (type == "duration") return "a duration such as 100 steps, 2 epochs or 50%";
  if (type == "string") return "a string";
  if (type == "name") return "a name";
  return type;
}

} // namespace

bool isKnownParamType(const std::string& type) {
  static const std::set<std::string> kTypes = {"int",      "float",  "bool", "percent",
                                               "duration", "string", "name"};
  return kTypes.count(type) > 0;
}

std::optional<Value> evaluate(const ast::Value& v, const NameLookup& names,
                              DiagnosticEngine& diags) {
  switch (v.kind) {
  case ast::Value::Kind::Number:
    return Value::num(v.number, v.unit, v.isInteger);
  case ast::Value::Kind::String:
    return Value::str(v.text);
  case ast::Value::Kind::Name: {
    if (v.text == "true") return Value::flag(true);
    if (v.text == "false") return Value::flag(false);
    if (names) {
      if (std::optional<Value> bound = names(v.text)) return bound;
    }
    return Value::ident(v.text);
  }
  case ast::Value::Kind::List: {
    Value list;
    list.kind = Value::Kind::List;
    for (const ast::Value& item : v.items) {
      std::optional<Value> x = evaluate(item, names, diags);
      if (!x) return std::nullopt;
      list.list.push_back(*x);
    }
    return list;
  }
  case ast::Value::Kind::Call:
    diags.report(DiagId::ParameterType, v.range,
                 "a call such as '" + v.text + "(...)' is not a value here");
    return std::nullopt;
  case ast::Value::Kind::Negate:
  case ast::Value::Kind::Binary: {
    std::vector<Value> operands;
    for (const ast::Value& item : v.items) {
      std::optional<Value> x = evaluate(item, names, diags);
      if (!x) return std::nullopt;
      if (x->kind != Value::Kind::Number || x->unit != Unit::None) {
        diags.report(DiagId::ParameterType, item.range,
                     "arithmetic needs plain numbers, but this is '" + toString(*x) + "'");
        return std::nullopt;
      }
      operands.push_back(*x);
    }
    if (v.kind == ast::Value::Kind::Negate) return Value::num(-operands[0].number);
    double a = operands[0].number, b = operands[1].number;
    bool integer = operands[0].isInteger && operands[1].isInteger;
    if (v.text == "*") return Value::num(a * b, Unit::None, integer);
    if (v.text == "+") return Value::num(a + b, Unit::None, integer);
    if (v.text == "-") return Value::num(a - b, Unit::None, integer);
    if (b == 0) {
      diags.report(DiagId::ParameterType, v.range, "division by zero");
      return std::nullopt;
    }
    return Value::num(a / b, Unit::None, integer && std::fmod(a, b) == 0);
  }
  }
  return std::nullopt;
}

bool checkArguments(const std::vector<ast::Arg>& args, const std::vector<ParamSpec>& specs,
                    const std::string& what, SourceRange callRange, const NameLookup& names,
                    DiagnosticEngine& diags, ParamMap& out) {
  size_t errorsBefore = diags.errorCount();
  std::map<std::string, SourceRange> given;
  size_t positional = 0;
  std::vector<std::string> specNames;
  for (const ParamSpec& s : specs)
    specNames.push_back(s.name);

  for (const ast::Arg& arg : args) {
    const ParamSpec* spec = nullptr;
    if (arg.name) {
      for (const ParamSpec& s : specs)
        if (s.name == arg.name->text) spec = &s;
      if (!spec) {
        Diagnostic& d = diags.report(DiagId::UnknownParameter, arg.name->range,
                                     what + " has no parameter '" + arg.name->text + "'");
        if (auto near = closestMatch(arg.name->text, specNames)) {
          d.fixits.push_back({arg.name->range, *near, Applicability::MaybeIncorrect});
        } else if (!specNames.empty()) {
          std::string list;
          for (const std::string& n : specNames)
            list += (list.empty() ? "" : ", ") + n;
          d.notes.push_back({{}, "its parameters are: " + list});
        }
        continue;
      }
    } else {
      if (positional >= specs.size()) {
        diags.report(DiagId::TooManyArguments, arg.range,
                     what + " takes at most " + std::to_string(specs.size()) + " argument" +
                         (specs.size() == 1 ? "" : "s"));
        continue;
      }
      spec = &specs[positional++];
    }
    if (auto [it, inserted] = given.emplace(spec->name, arg.range); !inserted) {
      Diagnostic& d = diags.report(DiagId::DuplicateParameter, arg.range,
                                   "parameter '" + spec->name + "' of " + what + " is given twice");
      d.notes.push_back({it->second, "first given here"});
      continue;
    }
    std::optional<Value> v = evaluate(arg.value, names, diags);
    if (!v) continue;
    // A whole number is a fine float.
    if (spec->type == "float" && v->kind == Value::Kind::Number) v->isInteger = false;
    if (!typeAccepts(spec->type, *v)) {
      Diagnostic& d = diags.report(DiagId::ParameterType, arg.value.range,
                                   "parameter '" + spec->name + "' of " + what + " must be " +
                                       describeType(spec->type) + ", not '" + toString(*v) + "'");
      if (spec->where.valid()) d.notes.push_back({spec->where, "declared here"});
      continue;
    }
    bool sameUnit = !spec->defaultValue || spec->defaultValue->unit == v->unit;
    if (v->kind == Value::Kind::Number && sameUnit &&
        ((spec->low && v->number < *spec->low) || (spec->high && v->number > *spec->high))) {
      Value lo = Value::num(spec->low.value_or(-INFINITY), v->unit);
      Value hi = Value::num(spec->high.value_or(INFINITY), v->unit);
      Diagnostic& d =
          diags.report(DiagId::ParameterRange, arg.value.range,
                       "parameter '" + spec->name + "' of " + what + " is " + toString(*v) +
                           ", outside [" + toString(lo) + ", " + toString(hi) + "]");
      if (spec->where.valid()) d.notes.push_back({spec->where, "declared here"});
      continue;
    }
    v->isDuration = spec->type == "duration";
    out[spec->name] = *v;
  }

  for (const ParamSpec& s : specs) {
    if (given.count(s.name)) continue;
    if (s.defaultValue) {
      out[s.name] = *s.defaultValue;
    } else {
      Diagnostic& d = diags.report(DiagId::MissingParameter, callRange,
                                   what + " needs the parameter '" + s.name + "'");
      if (s.where.valid()) d.notes.push_back({s.where, "declared here"});
    }
  }
  return diags.errorCount() == errorsBefore;
}

} // namespace fiver
