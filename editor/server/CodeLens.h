// Code lens over each recipe that compiles: what a training step costs
// (forward and backward FLOPs, parameters) and what the whole schedule costs
// against the unchanged model, from the cost model of `5rc compile --cost`.
// The lenses are listed cheaply and their figures computed on resolve, so an
// editor pays only for the recipes on screen.
#pragma once

#include "compiler/pipeline/ScheduleCost.h"
#include "editor/server/Analysis.h"
#include "editor/server/Protocol.h"

#include <string>

namespace fiver::lsp {

// LSP `CodeLens[]`, unresolved: a range and `data` naming the recipe.
json codeLenses(const Analysis& analysis, const std::string& uri);

// The lens with its command (the title carries the figures); throws LspError
// for a lens that names no recipe of the document.
json resolveCodeLens(const Analysis& analysis, const json& lens);

// The title of the lens of a compiled recipe.
std::string costLensTitle(const CostReport& report);

} // namespace fiver::lsp
