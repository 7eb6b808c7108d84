// `5rc explain`: diagnostic codes (docs/errors/<CODE>.md, from FIVER_DOCS at
// run time, else the source tree's docs/), method cards and the taxonomy.
#pragma once

#include "compiler/sema/MethodSignature.h"

#include <iosfwd>
#include <map>
#include <string>

namespace fiver {

// `what` is a diagnostic code (E0200), a stdlib method (its card), or empty
// (the 5 x 6 taxonomy table with the stdlib's methods in each cell). Returns
// the process exit status: 0 when `what` is known.
// The standard library's method signatures (they stay valid for the process).
std::map<std::string, MethodSignature> loadStdlibMethods(const std::string& stdlibDir);

int explain(const std::string& what, const std::string& stdlibDir, std::ostream& out,
            std::ostream& err);

} // namespace fiver
