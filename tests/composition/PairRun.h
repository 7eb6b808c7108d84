// One cell of the composition matrix: a tiny recipe with two methods (or one),
// checked by the real checker and, when it accepts, trained in process for a
// few steps with every probe watching.
#pragma once

#include "tests/composition/Probe.h"

#include <optional>
#include <string>
#include <vector>

namespace fiver::composition {

// The input kinds every one of `methods` fits, images first: a pair runs on
// each (none when one fits only images and the other only text).
std::vector<InputKind> sharedKinds(const std::vector<const MethodUnderTest*>& methods);
const char* kindName(InputKind kind);

// A recipe on the tiny task of `kind` holding `methods`' lines.
std::string tinyRecipe(const std::vector<const MethodUnderTest*>& methods, InputKind kind);

struct CellOutcome {
  enum class Verdict { Ran, Conflict, Skipped } verdict = Verdict::Ran;
  std::string diagnostics;           // what the checker said, when it rejected the recipe
  std::vector<std::string> failures; // "<method>: <what>", probes and runtime errors
  std::vector<std::string> waived;   // "<method> (reshaped by <other>: why)"
};

// Checks the methods' recipe on the tiny task of `kind`; runs it when
// accepted. Without a kind, the first one the methods share (Skipped when
// there is none).
CellOutcome runCell(const std::vector<const MethodUnderTest*>& methods, InputKind kind);
CellOutcome runCell(const std::vector<const MethodUnderTest*>& methods);
// Only asks the checker (for the matrix's counts): no plan, no run.
CellOutcome checkCell(const std::vector<const MethodUnderTest*>& methods, InputKind kind);

} // namespace fiver::composition
