// Completion that follows the shape of a recipe line: action -> component ->
// timing -> information -> the methods of that cell -> the method's
// parameters; setting keys and their values (tasks, models, optimizers,
// schedules, augmentations); parameter names inside any call's parentheses.
// Works on the text, so a half-typed line that does not parse still completes.
#pragma once

#include "editor/server/Analysis.h"
#include "editor/server/Protocol.h"

#include "compiler/sema/Params.h"

#include <optional>
#include <string>
#include <vector>

namespace fiver::lsp {

// `text` is the document as typed (the analysis may lag behind it).
std::vector<CompletionItem> complete(const Analysis& analysis, const std::string& text,
                                     Position position);

// The call whose parentheses hold the cursor (a method, layer, model,
// optimizer, schedule or augmentation): what signature help shows. `active`
// is the parameter being written: named by `name:`, else by position.
struct EnclosingCall {
  std::string callee;
  std::vector<ParamSpec> params;
  int active = 0;
};
std::optional<EnclosingCall> enclosingCall(const Analysis& analysis, const std::string& text,
                                           Position position);

} // namespace fiver::lsp
