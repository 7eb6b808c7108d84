// A method's card in markdown (the content of `5rc explain METHOD`), for
// hover and completion documentation.
#pragma once

#include "compiler/sema/MethodSignature.h"
#include "compiler/sema/Program.h"

#include <optional>
#include <string>

namespace fiver::lsp {

// The checked signature of a method declared in the program.
std::optional<MethodSignature> methodSignature(const Program& program, const std::string& name);

std::string methodCard(const MethodSignature& m);
// `half_life: duration = 100 steps in [1, inf]`
std::string paramLine(const ParamSpec& p);

} // namespace fiver::lsp
