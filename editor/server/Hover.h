// Hover: a method's card, a parameter's type and range, a taxonomy word's
// meaning, and a one-line summary of models, tasks, recipes and builtins.
#pragma once

#include "editor/server/Analysis.h"
#include "editor/server/Protocol.h"

#include <optional>

namespace fiver::lsp {

std::optional<MarkupHover> hover(const Analysis& analysis, Position position);

} // namespace fiver::lsp
