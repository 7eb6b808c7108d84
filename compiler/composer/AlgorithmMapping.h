// Maps Composer's `algorithms:` block (a map keyed by algorithm, or a list of
// one-key maps) onto FiveR method lines, by the rows of AlgorithmTable.h and
// the methods' declarations in the loaded stdlib. Whatever cannot be mapped
// is a diagnostic at its YAML key; what is mapped but not one to one is a
// decision in the recipe's header.
#pragma once

#include "compiler/composer/ComposerTime.h"
#include "compiler/composer/ComposerYaml.h"
#include "compiler/composer/ImportedRecipe.h"
#include "compiler/sema/MethodSignature.h"

#include <map>
#include <string>

namespace fiver::composer {

struct MappingContext {
  const YamlSource& yaml;
  const std::map<std::string, MethodSignature>& methods; // the stdlib's
  const RunLength& run;
  DiagnosticEngine& diags;
};

// Appends a method line to `out` for each algorithm that maps.
void mapAlgorithms(const YAML::Node& algorithms, const MappingContext& context,
                   ImportedRecipe& out);

} // namespace fiver::composer
