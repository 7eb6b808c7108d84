// Tests that build plans by hand name only the arguments they care about;
// the runtime has no defaults of its own, so the rest come from the method's
// stdlib declaration, lowered as 5rc lowers them (percentages of the budget
// and epochs to steps on the plan's timeline).
#pragma once

#include "compiler/plan/Plan.h"

#include <string>

namespace fiver::test {

// `given` plus every parameter of `method` it leaves out, at its declared
// default; `given` alone when the stdlib declares no such method.
plan::ScalarMap withStdlibDefaults(const std::string& method, plan::ScalarMap given,
                                   const plan::Plan& p);

// Whether the stdlib declares `method` for image tasks only (`inputs images`).
bool declaredForImagesOnly(const std::string& method);

} // namespace fiver::test
