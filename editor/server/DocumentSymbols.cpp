#include "editor/server/DocumentSymbols.h"

#include "compiler/sema/Taxonomy.h"

namespace fiver::lsp {

namespace {
DocumentSymbol symbol(const Analysis& a, const std::string& name, LspSymbolKind kind,
                      const SourceRange& whole, const SourceRange& selection,
                      std::string detail = {}) {
  DocumentSymbol s;
  s.name = name.empty() ? "(unnamed)" : name;
  s.kind = kind;
  s.detail = std::move(detail);
  s.selectionRange = a.rangeOf(selection);
  s.range = whole.valid() ? a.rangeOf(whole) : s.selectionRange;
  // The protocol requires the selection to lie inside the range.
  if (s.selectionRange.start < s.range.start || s.range.end < s.selectionRange.end)
    s.range = s.selectionRange;
  return s;
}
} // namespace

std::vector<DocumentSymbol> documentSymbols(const Analysis& a) {
  std::vector<DocumentSymbol> out;
  const ast::File* file = a.program().main;
  if (!file) return out;
  for (const ast::Recipe& r : file->recipes) {
    DocumentSymbol s = symbol(a, r.name.text, LspSymbolKind::Class, r.range, r.name.range,
                              r.base ? "extends " + r.base->text : "");
    for (const ast::RecipeItem& item : r.items) {
      if (item.kind == ast::RecipeItem::Kind::Triple) {
        const ast::Triple& t = item.triple;
        std::string triple =
            t.action.text + " " + t.component.text + " " + t.timing.text + " " + t.information.text;
        if (t.method)
          s.children.push_back(symbol(a, t.method->name.text, LspSymbolKind::Method, item.range,
                                      t.method->name.range, triple));
        else
          s.children.push_back(
              symbol(a, triple, LspSymbolKind::Method, item.range, t.range, "default method"));
      } else if (item.kind == ast::RecipeItem::Kind::Setting) {
        s.children.push_back(
            symbol(a, item.key.text, LspSymbolKind::Property, item.range, item.key.range));
      } else if (item.kind == ast::RecipeItem::Kind::Drop) {
        s.children.push_back(
            symbol(a, "drop " + item.key.text, LspSymbolKind::Event, item.range, item.key.range));
      } else {
        s.children.push_back(
            symbol(a, "target", LspSymbolKind::Property, item.range, item.key.range));
      }
    }
    out.push_back(std::move(s));
  }
  for (const ast::MethodDecl& m : file->methods) {
    DocumentSymbol s = symbol(a, m.name.text, LspSymbolKind::Function, m.range, m.name.range,
                              m.action.text + " " + m.component.text + " " + m.timing.text + " " +
                                  m.information.text);
    for (const ast::ParamDecl& p : m.params)
      s.children.push_back(
          symbol(a, p.name.text, LspSymbolKind::Variable, p.range, p.name.range, p.type.text));
    out.push_back(std::move(s));
  }
  for (const ast::ModelDecl& m : file->models)
    out.push_back(symbol(a, m.name.text, LspSymbolKind::Struct, m.range, m.name.range, "model"));
  for (const ast::TaskDecl& t : file->tasks)
    out.push_back(symbol(a, t.name.text, LspSymbolKind::Module, t.range, t.name.range, "task"));
  for (const ast::StudyDecl& s : file->studies)
    out.push_back(symbol(a, s.name.text, LspSymbolKind::Namespace, s.range, s.name.range, "study"));
  return out;
}

} // namespace fiver::lsp
