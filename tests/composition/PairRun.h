// One cell of the composition matrix: a tiny recipe with two methods (or one),
// checked by the real checker and, when it accepts, trained in process for a
// few steps with every probe watching.
#pragma once

#include "tests/composition/Probe.h"

#include <optional>
#include <string>
#include <vector>

namespace fiver::composition {

// The input kind two methods can share: images when both fit them, else
// text; none when one fits only images and the other only text.
std::optional<InputKind> sharedKind(const MethodUnderTest& a, const MethodUnderTest& b);

// A recipe on the tiny task of `kind` holding `methods`' lines.
std::string tinyRecipe(const std::vector<const MethodUnderTest*>& methods, InputKind kind);

struct CellOutcome {
  enum class Verdict { Ran, Conflict, Skipped } verdict = Verdict::Ran;
  std::string diagnostics;           // what the checker said, when it rejected the recipe
  std::vector<std::string> failures; // "<method>: <what>", probes and runtime errors
  std::vector<std::string> waived;   // "<method> (reshaped by <other>: why)"
};

// Checks the methods' recipe; runs it when accepted.
CellOutcome runCell(const std::vector<const MethodUnderTest*>& methods);
// Only asks the checker (for the matrix's counts): no plan, no run.
CellOutcome checkCell(const std::vector<const MethodUnderTest*>& methods);

} // namespace fiver::composition
