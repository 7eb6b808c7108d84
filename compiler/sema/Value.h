// Values of recipe settings and method/layer parameters after checking.
#pragma once

#include "compiler/frontend/Unit.h"

#include <cstdint>
#include <string>
#include <vector>

namespace fiver {

struct Value {
  enum class Kind { Number, Bool, String, Ident, List };
  Kind kind = Kind::Number;
  double number = 0;       // Number (for Percent: 75% is stored as 75)
  bool isInteger = false;  // Number written without '.' or exponent
  bool isDuration = false; // a duration parameter: a percentage means "of the budget"
  Unit unit = Unit::None;
  bool boolean = false;
  std::string text; // String and Ident
  std::vector<Value> list;

  static Value num(double v, Unit u = Unit::None, bool integer = false);
  static Value flag(bool b);
  static Value str(std::string s);
  static Value ident(std::string s);

  // Fraction in [0,1] for a percentage, the number itself otherwise.
  double asFraction() const { return unit == Unit::Percent ? number / 100.0 : number; }
};

// Canonical text (used in plans and dumps): 0.5, 75%, 8 epochs, "x", [1, 2].
std::string toString(const Value& v);

} // namespace fiver
