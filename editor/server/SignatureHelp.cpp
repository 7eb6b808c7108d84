#include "editor/server/SignatureHelp.h"

#include "editor/server/Completion.h"
#include "editor/server/MethodCard.h"

namespace fiver::lsp {

json signatureHelp(const Analysis& analysis, const std::string& text, Position position) {
  std::optional<EnclosingCall> call = enclosingCall(analysis, text, position);
  if (!call) return nullptr;
  // `ema(half_life: duration = 100 steps)`; each parameter is named by its
  // [start, end) in the label (UTF-16 units: parameter lines are ASCII).
  std::string label = call->callee + "(";
  json parameters = json::array();
  for (size_t i = 0; i < call->params.size(); ++i) {
    if (i) label += ", ";
    std::string line = paramLine(call->params[i]);
    parameters.push_back({{"label", {label.size(), label.size() + line.size()}}});
    label += line;
  }
  label += ")";
  json signature = {{"label", label}, {"parameters", parameters}};
  if (auto sig = methodSignature(analysis.program(), call->callee))
    signature["documentation"] = {{"kind", "markdown"}, {"value", methodCard(*sig)}};
  json help = {{"signatures", {signature}}, {"activeSignature", 0}};
  if (call->active < static_cast<int>(call->params.size())) help["activeParameter"] = call->active;
  return help;
}

} // namespace fiver::lsp
