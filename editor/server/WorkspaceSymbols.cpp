#include "editor/server/WorkspaceSymbols.h"

#include "editor/server/Uri.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <tuple>

namespace fiver::lsp {

namespace {

std::string lowered(std::string s) {
  for (char& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The kinds that name a declaration, as the document outline shows them.
std::optional<std::pair<LspSymbolKind, const char*>> declarationKind(SymbolKind k) {
  switch (k) {
  case SymbolKind::Recipe:
    return std::make_pair(LspSymbolKind::Class, "recipe");
  case SymbolKind::Method:
    return std::make_pair(LspSymbolKind::Function, "method");
  case SymbolKind::Model:
    return std::make_pair(LspSymbolKind::Struct, "model");
  case SymbolKind::Task:
    return std::make_pair(LspSymbolKind::Module, "task");
  case SymbolKind::Study:
    return std::make_pair(LspSymbolKind::Namespace, "study");
  default:
    return std::nullopt;
  }
}

} // namespace

json workspaceSymbols(const std::vector<std::shared_ptr<const Analysis>>& analyses,
                      const std::string& query) {
  const std::string wanted = lowered(query);
  std::set<std::tuple<std::string, uint32_t>> seen; // file, offset
  std::vector<std::pair<std::string, json>> found;
  for (const auto& analysis : analyses) {
    for (const auto& [file, occurrences] : analysis->allOccurrences()) {
      for (const Occurrence& o : occurrences) {
        auto kind = declarationKind(o.kind);
        if (!o.declaration || !kind) continue;
        if (!wanted.empty() && lowered(o.name).find(wanted) == std::string::npos) continue;
        if (!seen.emplace(file, o.range.begin.offset).second) continue;
        json symbol = {{"name", o.name},
                       {"kind", static_cast<int>(kind->first)},
                       {"location", Location{uriFromPath(file), analysis->rangeOf(o.range)}},
                       {"containerName", kind->second}};
        found.emplace_back(o.name, std::move(symbol));
      }
    }
  }
  std::stable_sort(found.begin(), found.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  json out = json::array();
  for (auto& [name, symbol] : found)
    out.push_back(std::move(symbol));
  return out;
}

} // namespace fiver::lsp
