// `5rc import composer RECIPE.yaml`: reads Composer's YAML trainer config and
// writes the equivalent .5r recipe, extending a base recipe that provides the
// task and the model. The written recipe is checked as `5rc check` would
// before the import reports success.
#pragma once

#include "compiler/diag/Diagnostic.h"
#include "compiler/diag/SourceManager.h"

#include <iosfwd>
#include <optional>
#include <string>

namespace fiver::composer {

struct ComposerImportOptions {
  std::string yamlPath;
  std::string outputPath;  // empty or "-": standard output
  std::string extendsPath; // empty: the stdlib's sibling recipes/fmnist/baseline.5r
  std::string stdlibDir;   // empty: $FIVER_STDLIB, else the compiled-in stdlib
};

// The checked recipe's text; nullopt when there were errors (in `diags`).
std::optional<std::string> importComposer(const ComposerImportOptions& options,
                                          SourceManager& sources, DiagnosticEngine& diags);

// The command: diagnostics to `err`, the recipe to the output file or `out`.
// Returns the exit status.
int runComposerImport(const ComposerImportOptions& options, std::ostream& out, std::ostream& err);

} // namespace fiver::composer
