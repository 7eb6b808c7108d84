// Writes a whole file through a temporary and a rename, so that a reader (or a
// run interrupted mid-write) never sees half a file. Torch-free; shared by
// the compiler, the study runner and the runtime.
#pragma once

#include <string>

namespace fiver {

// Returns false when the file could not be written; the old file, if any,
// is then left as it was.
bool writeFileAtomically(const std::string& path, const std::string& text);

} // namespace fiver
