// Writes an imported recipe as .5r text: a header naming the source file and
// each mapping decision that is not one to one, the base's import, then the
// recipe (settings, drops, one line per method with its triple).
#pragma once

#include "compiler/composer/ImportedRecipe.h"

#include <string>

namespace fiver::composer {

std::string writeRecipe(const ImportedRecipe& recipe);

} // namespace fiver::composer
