// Semantic tokens (full document): what each name means, which a TextMate
// grammar cannot know (a method vs a model vs a recipe, builtins).
#pragma once

#include "editor/server/Analysis.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <vector>

namespace fiver::lsp {

// The legend advertised in the server capabilities.
nlohmann::json semanticTokensLegend();
// The relative five-integer encoding of the protocol.
std::vector<uint32_t> semanticTokens(const Analysis& analysis);

} // namespace fiver::lsp
