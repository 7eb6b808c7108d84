// Completion that follows the shape of a recipe line: action -> component ->
// timing -> information -> the methods of that cell -> the method's
// parameters; setting keys and their values (tasks, models, optimizers,
// schedules, augmentations); parameter names inside any call's parentheses.
// Works on the text, so a half-typed line that does not parse still completes.
#pragma once

#include "editor/server/Analysis.h"
#include "editor/server/Protocol.h"

#include <string>
#include <vector>

namespace fiver::lsp {

// `text` is the document as typed (the analysis may lag behind it).
std::vector<CompletionItem> complete(const Analysis& analysis, const std::string& text,
                                     Position position);

} // namespace fiver::lsp
