// LSP 3.17 types the server speaks: plain structs, each with free to_json /
// from_json (nlohmann's ADL hooks) and no logic. Positions are UTF-16 code
// units as the protocol requires; LineIndex converts them to byte offsets.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace fiver::lsp {

using json = nlohmann::json;

// JSON-RPC and LSP error codes.
enum class ErrorCode {
  ParseError = -32700,
  InvalidRequest = -32600,
  MethodNotFound = -32601,
  InvalidParams = -32602,
  InternalError = -32603,
  ServerNotInitialized = -32002,
  RequestFailed = -32803,
  RequestCancelled = -32800,
};

// Thrown by handlers; the binder turns it into an error response.
struct LspError {
  ErrorCode code;
  std::string message;
};

struct Position {
  int line = 0;
  int character = 0; // UTF-16 code units
  bool operator==(const Position&) const = default;
  auto operator<=>(const Position&) const = default;
};
void to_json(json& j, const Position& p);
void from_json(const json& j, Position& p);

struct Range {
  Position start, end;
  bool operator==(const Range&) const = default;
};
void to_json(json& j, const Range& r);
void from_json(const json& j, Range& r);

struct Location {
  std::string uri;
  Range range;
};
void to_json(json& j, const Location& l);

struct TextDocumentItem {
  std::string uri;
  std::string languageId;
  int version = 0;
  std::string text;
};
void from_json(const json& j, TextDocumentItem& d);

struct TextDocumentIdentifier {
  std::string uri;
};
void from_json(const json& j, TextDocumentIdentifier& d);

struct DidOpenParams {
  TextDocumentItem textDocument;
};
void from_json(const json& j, DidOpenParams& p);

struct ContentChange {
  std::optional<Range> range; // absent: the whole text
  std::string text;
};
void from_json(const json& j, ContentChange& c);

struct DidChangeParams {
  TextDocumentIdentifier textDocument;
  int version = 0;
  std::vector<ContentChange> contentChanges;
};
void from_json(const json& j, DidChangeParams& p);

struct DidCloseParams {
  TextDocumentIdentifier textDocument;
};
void from_json(const json& j, DidCloseParams& p);

struct DidSaveParams {
  TextDocumentIdentifier textDocument;
  std::optional<std::string> text;
};
void from_json(const json& j, DidSaveParams& p);

struct TextDocumentPositionParams {
  TextDocumentIdentifier textDocument;
  Position position;
};
void from_json(const json& j, TextDocumentPositionParams& p);

struct ReferenceParams {
  TextDocumentIdentifier textDocument;
  Position position;
  bool includeDeclaration = true;
};
void from_json(const json& j, ReferenceParams& p);

struct RenameParams {
  TextDocumentIdentifier textDocument;
  Position position;
  std::string newName;
};
void from_json(const json& j, RenameParams& p);

struct DocumentParams {
  TextDocumentIdentifier textDocument;
};
void from_json(const json& j, DocumentParams& p);

struct RangeParams {
  TextDocumentIdentifier textDocument;
  Range range;
};
void from_json(const json& j, RangeParams& p);

struct InitializeParams {
  std::string stdlib; // initializationOptions.stdlib
};
void from_json(const json& j, InitializeParams& p);

struct CancelParams {
  json id;
};
void from_json(const json& j, CancelParams& p);

enum class DiagnosticSeverity { Error = 1, Warning = 2, Information = 3, Hint = 4 };

struct DiagnosticRelatedInformation {
  Location location;
  std::string message;
};
void to_json(json& j, const DiagnosticRelatedInformation& r);

struct LspDiagnostic {
  Range range;
  DiagnosticSeverity severity = DiagnosticSeverity::Error;
  std::string code;
  std::string source = "5rc";
  std::string message;
  std::vector<DiagnosticRelatedInformation> relatedInformation;
};
void to_json(json& j, const LspDiagnostic& d);

struct PublishDiagnosticsParams {
  std::string uri;
  std::optional<int> version;
  std::vector<LspDiagnostic> diagnostics;
};
void to_json(json& j, const PublishDiagnosticsParams& p);

struct MarkupHover {
  std::string markdown;
  Range range;
};
void to_json(json& j, const MarkupHover& h);

enum class CompletionItemKind {
  Text = 1,
  Method = 2,
  Function = 3,
  Field = 5,
  Variable = 6,
  Class = 7,
  Module = 9,
  Property = 10,
  Value = 12,
  Enum = 13,
  Keyword = 14,
  Snippet = 15,
  EnumMember = 20,
  Struct = 22,
  TypeParameter = 25
};

struct CompletionItem {
  std::string label;
  CompletionItemKind kind = CompletionItemKind::Text;
  std::string detail;
  std::string documentation; // markdown
  std::string insertText;    // empty: the label
  bool snippet = false;      // insertText is a snippet ($1, ${1:default})
};
void to_json(json& j, const CompletionItem& c);

struct TextEdit {
  Range range;
  std::string newText;
};
void to_json(json& j, const TextEdit& e);

// Edits per document URI.
struct WorkspaceEdit {
  std::map<std::string, std::vector<TextEdit>> changes;
};
void to_json(json& j, const WorkspaceEdit& e);

struct CodeActionParams {
  TextDocumentIdentifier textDocument;
  Range range;
};
void from_json(const json& j, CodeActionParams& p);

struct CodeAction {
  std::string title;
  std::string kind = "quickfix";
  std::vector<LspDiagnostic> diagnostics;
  bool isPreferred = false;
  WorkspaceEdit edit;
};
void to_json(json& j, const CodeAction& a);

enum class LspSymbolKind {
  Module = 2,
  Namespace = 3,
  Class = 5,
  Method = 6,
  Property = 8,
  Field = 8,
  Function = 12,
  Variable = 13,
  Struct = 23,
  Event = 24
};

struct DocumentSymbol {
  std::string name;
  std::string detail;
  LspSymbolKind kind = LspSymbolKind::Variable;
  Range range;
  Range selectionRange;
  std::vector<DocumentSymbol> children;
};
void to_json(json& j, const DocumentSymbol& s);

struct FoldingRange {
  int startLine = 0;
  int endLine = 0;
  std::string kind; // "comment", "region" or empty
};
void to_json(json& j, const FoldingRange& f);

} // namespace fiver::lsp
