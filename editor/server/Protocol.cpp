#include "editor/server/Protocol.h"

namespace fiver::lsp {

void to_json(json& j, const Position& p) {
  j = {{"line", p.line}, {"character", p.character}};
}
void from_json(const json& j, Position& p) {
  j.at("line").get_to(p.line);
  j.at("character").get_to(p.character);
}

void to_json(json& j, const Range& r) {
  j = {{"start", r.start}, {"end", r.end}};
}
void from_json(const json& j, Range& r) {
  j.at("start").get_to(r.start);
  j.at("end").get_to(r.end);
}

void to_json(json& j, const Location& l) {
  j = {{"uri", l.uri}, {"range", l.range}};
}

void from_json(const json& j, TextDocumentItem& d) {
  j.at("uri").get_to(d.uri);
  d.languageId = j.value("languageId", "");
  d.version = j.value("version", 0);
  j.at("text").get_to(d.text);
}

void from_json(const json& j, TextDocumentIdentifier& d) {
  j.at("uri").get_to(d.uri);
}

void from_json(const json& j, DidOpenParams& p) {
  j.at("textDocument").get_to(p.textDocument);
}

void from_json(const json& j, ContentChange& c) {
  if (j.contains("range")) c.range = j.at("range").get<Range>();
  j.at("text").get_to(c.text);
}

void from_json(const json& j, DidChangeParams& p) {
  j.at("textDocument").get_to(p.textDocument);
  p.version = j.at("textDocument").value("version", 0);
  j.at("contentChanges").get_to(p.contentChanges);
}

void from_json(const json& j, DidCloseParams& p) {
  j.at("textDocument").get_to(p.textDocument);
}

void from_json(const json& j, DidSaveParams& p) {
  j.at("textDocument").get_to(p.textDocument);
  if (j.contains("text")) p.text = j.at("text").get<std::string>();
}

void from_json(const json& j, TextDocumentPositionParams& p) {
  j.at("textDocument").get_to(p.textDocument);
  j.at("position").get_to(p.position);
}

void from_json(const json& j, ReferenceParams& p) {
  j.at("textDocument").get_to(p.textDocument);
  j.at("position").get_to(p.position);
  if (j.contains("context")) p.includeDeclaration = j["context"].value("includeDeclaration", true);
}

void from_json(const json& j, RenameParams& p) {
  j.at("textDocument").get_to(p.textDocument);
  j.at("position").get_to(p.position);
  j.at("newName").get_to(p.newName);
}

void from_json(const json& j, DocumentParams& p) {
  j.at("textDocument").get_to(p.textDocument);
}

void from_json(const json& j, RangeParams& p) {
  j.at("textDocument").get_to(p.textDocument);
  j.at("range").get_to(p.range);
}

void from_json(const json& j, InitializeParams& p) {
  if (!j.is_object()) return;
  auto opts = j.find("initializationOptions");
  if (opts != j.end() && opts->is_object()) p.stdlib = opts->value("stdlib", "");
}

void from_json(const json& j, CancelParams& p) {
  p.id = j.at("id");
}

void to_json(json& j, const DiagnosticRelatedInformation& r) {
  j = {{"location", r.location}, {"message", r.message}};
}

void to_json(json& j, const LspDiagnostic& d) {
  j = {{"range", d.range},
       {"severity", static_cast<int>(d.severity)},
       {"code", d.code},
       {"source", d.source},
       {"message", d.message}};
  if (!d.relatedInformation.empty()) j["relatedInformation"] = d.relatedInformation;
}

void to_json(json& j, const PublishDiagnosticsParams& p) {
  j = {{"uri", p.uri}, {"diagnostics", p.diagnostics}};
  if (p.version) j["version"] = *p.version;
}

void to_json(json& j, const MarkupHover& h) {
  j = {{"contents", {{"kind", "markdown"}, {"value", h.markdown}}}, {"range", h.range}};
}

void to_json(json& j, const CompletionItem& c) {
  j = {{"label", c.label}, {"kind", static_cast<int>(c.kind)}};
  if (!c.detail.empty()) j["detail"] = c.detail;
  if (!c.documentation.empty())
    j["documentation"] = {{"kind", "markdown"}, {"value", c.documentation}};
  if (!c.insertText.empty()) j["insertText"] = c.insertText;
  j["insertTextFormat"] = c.snippet ? 2 : 1;
}

void to_json(json& j, const TextEdit& e) {
  j = {{"range", e.range}, {"newText", e.newText}};
}

void to_json(json& j, const WorkspaceEdit& e) {
  json changes = json::object();
  for (const auto& [uri, edits] : e.changes)
    changes[uri] = edits;
  j = {{"changes", changes}};
}

void from_json(const json& j, CodeActionParams& p) {
  j.at("textDocument").get_to(p.textDocument);
  j.at("range").get_to(p.range);
}

void to_json(json& j, const CodeAction& a) {
  j = {{"title", a.title}, {"kind", a.kind}, {"diagnostics", a.diagnostics}, {"edit", a.edit}};
  if (a.isPreferred) j["isPreferred"] = true;
}

void to_json(json& j, const DocumentSymbol& s) {
  j = {{"name", s.name},
       {"kind", static_cast<int>(s.kind)},
       {"range", s.range},
       {"selectionRange", s.selectionRange}};
  if (!s.detail.empty()) j["detail"] = s.detail;
  if (!s.children.empty()) j["children"] = s.children;
}

void to_json(json& j, const FoldingRange& f) {
  j = {{"startLine", f.startLine}, {"endLine", f.endLine}};
  if (!f.kind.empty()) j["kind"] = f.kind;
}

} // namespace fiver::lsp
