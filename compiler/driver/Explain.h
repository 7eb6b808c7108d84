// `5rc explain CODE`: the long-form explanation of a diagnostic code, read from
// docs/errors/<CODE>.md (FIVER_DOCS at run time, else the source tree's docs/).
#pragma once

#include <iosfwd>
#include <string>

namespace fiver {

// Returns the process exit status: 0 when the code is known.
int explainCode(const std::string& code, std::ostream& out, std::ostream& err);

} // namespace fiver
