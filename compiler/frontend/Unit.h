// The units a number may be written with (`75%`, `8 epochs`, `30 s`): part
// of the syntax, so the AST carries them and sema's values reuse them.
#pragma once

#include <string_view>

namespace fiver {

enum class Unit { None, Percent, Epochs, Steps, Samples, Seconds };

std::string_view unitName(Unit u); // "", "%", "epochs", "steps", "samples", "s"

} // namespace fiver
