// Semantic analysis entry points: load a file with its imports and the
// standard library, resolve names, type-check against the 5R taxonomy.
#pragma once

#include "compiler/diag/Diagnostic.h"
#include "compiler/diag/SourceManager.h"
#include "compiler/sema/CheckedRecipe.h"
#include "compiler/sema/Program.h"
#include "compiler/sema/StudyCheck.h"

#include <optional>
#include <string>
#include <vector>

namespace fiver {

struct CheckRequest {
  std::string path;
  std::string recipe;              // empty: the last recipe declared in the file
  std::string stdlibDir;           // empty: $FIVER_STDLIB, else the compiled-in stdlib
  std::optional<std::string> text; // an editor buffer to use instead of the file on disk
  // Command-line overrides, each one recipe item (`budget 2 epochs`,
  // `layer_freezing.start=50%` is written `layer_freezing(start: 50%)`).
  std::vector<std::string> overrides;
  std::vector<std::string> drops; // methods to drop
};

// Checks one recipe and returns it resolved; nullopt when there were errors.
std::optional<CheckedRecipe> checkRecipe(const CheckRequest& request, SourceManager& sources,
                                         DiagnosticEngine& diags);

// Checks every declaration of a file (every recipe too) without choosing one.
// Returns true when there were no errors.
bool checkFile(const CheckRequest& request, SourceManager& sources, DiagnosticEngine& diags);

// What checkFile does once the program is loaded (`diags` already holds the
// load's diagnostics), for callers that load it themselves, e.g. through a
// ParseCache.
bool checkLoadedFile(const Program& program, DiagnosticEngine& diags);

// Every recipe declared in the program's main file that checks clean,
// resolved, for what runs after sema (`5rc check` compiles them too). Their
// diagnostics are not reported again: checkLoadedFile reports them. `loaded`
// holds the load's diagnostics: none when the file did not parse.
std::vector<CheckedRecipe> cleanRecipesOf(const Program& program, const DiagnosticEngine& loaded);

// Checks a study (request.recipe names it; empty: the file's last study) and
// every recipe it names.
std::optional<CheckedStudy> checkStudy(const CheckRequest& request, SourceManager& sources,
                                       DiagnosticEngine& diags);

// The standard library folder a request resolves to.
std::string resolveStdlibDir(const std::string& requested);

} // namespace fiver
