#include "editor/server/SemanticTokens.h"

namespace fiver::lsp {

namespace {
enum TokenType : uint32_t { Class, Function, Type, Namespace, Parameter, EnumMember, Property };
constexpr uint32_t kDeclaration = 1, kDefaultLibrary = 2; // modifier bits

uint32_t tokenType(SymbolKind kind) {
  switch (kind) {
  case SymbolKind::Recipe:
    return Class;
  case SymbolKind::Method:
    return Function;
  case SymbolKind::Model:
    return Type;
  case SymbolKind::Task:
  case SymbolKind::Study:
    return Namespace;
  case SymbolKind::Param:
    return Parameter;
  case SymbolKind::Taxonomy:
    return EnumMember;
  case SymbolKind::SettingKey:
    return Property;
  case SymbolKind::Optimizer:
  case SymbolKind::Schedule:
  case SymbolKind::Augmentation:
  case SymbolKind::Layer:
    return Function;
  }
  return Property;
}

bool isBuiltin(SymbolKind kind) {
  return kind == SymbolKind::Optimizer || kind == SymbolKind::Schedule ||
         kind == SymbolKind::Augmentation || kind == SymbolKind::Layer;
}
} // namespace

nlohmann::json semanticTokensLegend() {
  return {{"tokenTypes",
           {"class", "function", "type", "namespace", "parameter", "enumMember", "property"}},
          {"tokenModifiers", {"declaration", "defaultLibrary"}}};
}

std::vector<uint32_t> semanticTokens(const Analysis& analysis) {
  std::vector<uint32_t> data;
  Position previous;
  size_t lastEnd = 0;
  for (const Occurrence& o : analysis.occurrences()) {
    if (o.range.begin.offset < lastEnd) continue; // tokens must not overlap
    Range r = analysis.rangeOf(o.range);
    if (r.start.line != r.end.line) continue; // tokens may not span lines
    lastEnd = o.range.begin.offset + o.range.length;
    uint32_t deltaLine = r.start.line - previous.line;
    uint32_t deltaStart = deltaLine ? r.start.character : r.start.character - previous.character;
    uint32_t modifiers =
        (o.declaration ? kDeclaration : 0u) | (isBuiltin(o.kind) ? kDefaultLibrary : 0u);
    data.insert(data.end(),
                {deltaLine, deltaStart, static_cast<uint32_t>(r.end.character - r.start.character),
                 tokenType(o.kind), modifiers});
    previous = r.start;
  }
  return data;
}

} // namespace fiver::lsp
