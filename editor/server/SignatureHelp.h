// Signature help inside a call's parentheses: the method's, layer's, model's,
// optimizer's, schedule's or augmentation's parameters with their types,
// defaults and ranges, the one being written highlighted.
#pragma once

#include "editor/server/Analysis.h"
#include "editor/server/Protocol.h"

#include <string>

namespace fiver::lsp {

// The `SignatureHelp` result, or null outside a call. `text` is the document
// as typed (the analysis may lag behind it).
json signatureHelp(const Analysis& analysis, const std::string& text, Position position);

} // namespace fiver::lsp
