#include "compiler/sema/Value.h"

#include <cmath>
#include <cstdio>

namespace fiver {

Value Value::num(double v, Unit u, bool integer) {
  Value x;
  x.kind = Kind::Number;
  x.number = v;
  x.unit = u;
  x.isInteger = integer;
  return x;
}
Value Value::flag(bool b) {
  Value x;
  x.kind = Kind::Bool;
  x.boolean = b;
  return x;
}
Value Value::str(std::string s) {
  Value x;
  x.kind = Kind::String;
  x.text = std::move(s);
  return x;
}
Value Value::ident(std::string s) {
  Value x;
  x.kind = Kind::Ident;
  x.text = std::move(s);
  return x;
}

namespace {
std::string formatNumber(double v) {
  if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e15) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", v);
    return buf;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}
} // namespace

std::string toString(const Value& v) {
  switch (v.kind) {
  case Value::Kind::Number: {
    std::string s = formatNumber(v.number);
    if (v.unit == Unit::Percent) return s + "%";
    if (v.unit != Unit::None) return s + " " + std::string(unitName(v.unit));
    return s;
  }
  case Value::Kind::Bool:
    return v.boolean ? "true" : "false";
  case Value::Kind::String:
    return "\"" + v.text + "\"";
  case Value::Kind::Ident:
    return v.text;
  case Value::Kind::List: {
    std::string s = "[";
    for (size_t i = 0; i < v.list.size(); ++i) {
      if (i) s += ", ";
      s += toString(v.list[i]);
    }
    return s + "]";
  }
  }
  return "";
}

} // namespace fiver
