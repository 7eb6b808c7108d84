// Typed parameters: declarations (from `method` blocks or the built-in tables)
// and the checking of call arguments against them.
#pragma once

#include "compiler/diag/Diagnostic.h"
#include "compiler/frontend/Ast.h"
#include "compiler/sema/CheckedRecipe.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace fiver {

// Parameter types: int, float, bool, percent, duration (steps, epochs,
// samples, seconds or % of the budget), string, name.
struct ParamSpec {
  std::string name;
  std::string type;
  std::optional<Value> defaultValue; // absent: required
  std::optional<double> low, high;   // inclusive range, in the value's own unit
  SourceRange where;                 // the declaration, when written in .5r
};

bool isKnownParamType(const std::string& type);

// Resolves a name inside an expression (model parameters, `classes`).
using NameLookup = std::function<std::optional<Value>(const std::string&)>;

// Converts an AST value to a checked value; names are looked up (and kept as
// identifiers when unknown), arithmetic evaluated. Reports E0202 on calls or
// arithmetic over non-numbers.
std::optional<Value> evaluate(const ast::Value& v, const NameLookup& names,
                              DiagnosticEngine& diags);

// Checks `args` against `specs` for the callee `what` (e.g. "method ema");
// fills every declared parameter (defaults included) into `out`. Returns false
// if any error was reported.
bool checkArguments(const std::vector<ast::Arg>& args, const std::vector<ParamSpec>& specs,
                    const std::string& what, SourceRange callRange, const NameLookup& names,
                    DiagnosticEngine& diags, ParamMap& out);

} // namespace fiver
