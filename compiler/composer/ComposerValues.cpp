#include "compiler/composer/ComposerValues.h"

#include "compiler/composer/ComposerTime.h"
#include "compiler/composer/ComposerYaml.h"

#include <cctype>
#include <cmath>

namespace fiver::composer {

namespace {

bool isName(const std::string& text) {
  if (text.empty() || std::isdigit(static_cast<unsigned char>(text[0]))) return false;
  for (char c : text)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  return true;
}

} // namespace

std::string valueText(const YAML::Node& node) {
  if (!node || node.IsNull()) return "null";
  if (node.IsScalar()) return node.Scalar();
  YAML::Emitter flow; // short lists and maps as written, e.g. [0.9]
  flow << YAML::Flow << node;
  if (flow.good() && flow.size() <= 40) return flow.c_str();
  return node.IsMap() ? "{...}" : "[...]";
}

bool sameComposerValue(const YAML::Node& node, std::string_view other) {
  const YAML::Node theirs = YAML::Load(std::string(other));
  if (theirs.IsNull() || !node || node.IsNull()) return theirs.IsNull() == (!node || node.IsNull());
  std::optional<double> a = scalarNumber(node), b = scalarNumber(theirs);
  if (a && b) return *a == *b;
  std::optional<bool> p = scalarBool(node), q = scalarBool(theirs);
  if (p && q) return *p == *q;
  std::optional<std::string> s = scalarText(node), t = scalarText(theirs);
  if (!s || !t) return false;
  std::optional<ComposerTime> x = parseComposerTime(*s), y = parseComposerTime(*t);
  if (x && y) return x->unit == y->unit && x->value == y->value;
  return *s == *t;
}

std::optional<Value> valueForType(const YAML::Node& node, const std::string& type) {
  if (type == "bool") {
    if (std::optional<bool> b = scalarBool(node)) return Value::flag(*b);
    return std::nullopt;
  }
  if (type == "int" || type == "float") {
    std::optional<double> n = scalarNumber(node);
    if (!n) return std::nullopt;
    return Value::num(*n, Unit::None, type == "int");
  }
  std::optional<std::string> text = scalarText(node);
  if (!text) return std::nullopt;
  if (type == "name" && isName(*text)) return Value::ident(*text);
  if (type == "duration") {
    if (std::optional<ComposerTime> t = parseComposerTime(*text)) return toDuration(*t, nullptr);
  }
  return std::nullopt;
}

bool valueFitsType(const Value& v, const std::string& type) {
  const bool number = v.kind == Value::Kind::Number;
  if (type == "int") return number && v.unit == Unit::None && v.number == std::floor(v.number);
  if (type == "float") return number && v.unit == Unit::None;
  if (type == "bool") return v.kind == Value::Kind::Bool;
  if (type == "percent") return number && v.unit == Unit::Percent;
  if (type == "duration") return number && v.unit != Unit::None;
  if (type == "name" || type == "string") return v.kind == Value::Kind::Ident;
  return false;
}

std::string describeParamType(const std::string& type) {
  if (type == "int") return "an integer";
  if (type == "float") return "a number";
  if (type == "bool") return "true or false";
  if (type == "percent") return "a fraction of the run";
  if (type == "duration") return "a duration such as 100ba, 2ep or 0.5dur";
  return "a name";
}

std::string rangeText(const ParamSpec& spec, Unit unit) {
  auto bound = [&](const std::optional<double>& b, const char* none) {
    return b ? toString(Value::num(*b, unit)) : std::string(none);
  };
  return "[" + bound(spec.low, "-inf") + ", " + bound(spec.high, "inf") + "]";
}

} // namespace fiver::composer
