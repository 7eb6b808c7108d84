#include "editor/server/LspServer.h"

#include "editor/server/CodeActions.h"
#include "editor/server/CodeLens.h"
#include "editor/server/Completion.h"
#include "editor/server/Diagnostics.h"
#include "editor/server/DocumentSymbols.h"
#include "editor/server/Folding.h"
#include "editor/server/Formatting.h"
#include "editor/server/Hover.h"
#include "editor/server/InlayHints.h"
#include "editor/server/SemanticTokens.h"
#include "editor/server/SignatureHelp.h"
#include "editor/server/WorkspaceSymbols.h"
#include "editor/server/XRefs.h"

#include <iostream>
#include <thread>

namespace fiver::lsp {

LspServer::LspServer(Transport& transport, std::string stdlibDir)
    : transport_(transport), workspace_(std::move(stdlibDir)) {
  binder_.request("initialize", this, &LspServer::onInitialize);
  binder_.notification("initialized", this, &LspServer::onInitialized);
  binder_.request("shutdown", this, &LspServer::onShutdown);
  binder_.notification("textDocument/didOpen", this, &LspServer::onDidOpen);
  binder_.notification("textDocument/didChange", this, &LspServer::onDidChange);
  binder_.notification("textDocument/didClose", this, &LspServer::onDidClose);
  binder_.notification("textDocument/didSave", this, &LspServer::onDidSave);
  binder_.request("textDocument/hover", this, &LspServer::onHover);
  binder_.request("textDocument/completion", this, &LspServer::onCompletion);
  binder_.request("textDocument/definition", this, &LspServer::onDefinition);
  binder_.request("textDocument/references", this, &LspServer::onReferences);
  binder_.request("textDocument/rename", this, &LspServer::onRename);
  binder_.request("textDocument/documentSymbol", this, &LspServer::onDocumentSymbol);
  binder_.request("textDocument/foldingRange", this, &LspServer::onFoldingRange);
  binder_.request("textDocument/semanticTokens/full", this, &LspServer::onSemanticTokens);
  binder_.request("textDocument/formatting", this, &LspServer::onFormatting);
  binder_.request("textDocument/rangeFormatting", this, &LspServer::onRangeFormatting);
  binder_.request("textDocument/codeAction", this, &LspServer::onCodeAction);
  binder_.request("textDocument/signatureHelp", this, &LspServer::onSignatureHelp);
  binder_.request("workspace/symbol", this, &LspServer::onWorkspaceSymbol);
  binder_.request("textDocument/inlayHint", this, &LspServer::onInlayHint);
  binder_.request("textDocument/codeLens", this, &LspServer::onCodeLens);
  binder_.request("codeLens/resolve", this, &LspServer::onCodeLensResolve);
}

json LspServer::capabilities() {
  return {{"positionEncoding", "utf-16"},
          {"textDocumentSync",
           {{"openClose", true}, {"change", 2}, {"save", {{"includeText", false}}}}},
          {"hoverProvider", true},
          {"completionProvider", {{"triggerCharacters", {" ", "(", ","}}}},
          {"definitionProvider", true},
          {"referencesProvider", true},
          {"renameProvider", true},
          {"documentSymbolProvider", true},
          {"foldingRangeProvider", true},
          {"semanticTokensProvider", {{"legend", semanticTokensLegend()}, {"full", true}}},
          {"documentFormattingProvider", true},
          {"documentRangeFormattingProvider", true},
          {"codeActionProvider", {{"codeActionKinds", {"quickfix"}}}},
          {"signatureHelpProvider",
           {{"triggerCharacters", {"(", ","}}, {"retriggerCharacters", {":"}}}},
          {"workspaceSymbolProvider", true},
          {"inlayHintProvider", true},
          {"codeLensProvider", {{"resolveProvider", true}}}};
}

int LspServer::run() {
  // The reader only frames messages and notes cancellations; everything
  // else happens in order on this thread.
  std::thread reader([this] {
    for (;;) {
      Incoming item = transport_.read();
      bool end = std::holds_alternative<EndOfInput>(item);
      std::lock_guard<std::mutex> lock(mutex_);
      if (auto* message = std::get_if<json>(&item);
          message && message->is_object() && message->value("method", "") == "$/cancelRequest") {
        auto params = message->find("params");
        if (params != message->end() && params->is_object() && params->contains("id"))
          cancelled_.insert((*params)["id"].dump());
        continue;
      }
      queue_.push_back(std::move(item));
      ready_.notify_one();
      if (end) return;
    }
  });
  reader.detach(); // it may be blocked reading when `exit` arrives
  for (;;) {
    std::unique_lock<std::mutex> lock(mutex_);
    if (queue_.empty()) {
      lock.unlock();
      publishStaleDiagnostics();
      workspace_.dropReplaced();
      lock.lock();
    }
    ready_.wait(lock, [this] { return !queue_.empty(); });
    Incoming item = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    if (std::optional<int> code = handle(item)) return *code;
  }
}

std::optional<int> LspServer::handle(const Incoming& item) {
  if (std::holds_alternative<EndOfInput>(item)) return shutdownRequested_ ? 0 : 1;
  if (const auto* bad = std::get_if<MalformedMessage>(&item)) {
    replyError(nullptr, ErrorCode::ParseError, bad->reason);
    return std::nullopt;
  }
  return handleMessage(std::get<json>(item));
}

std::optional<int> LspServer::handleMessage(const json& message) {
  if (!message.is_object() || message.value("jsonrpc", "") != "2.0") {
    json id = message.is_object() && message.contains("id") ? message["id"] : json(nullptr);
    replyError(id, ErrorCode::InvalidRequest, "not a JSON-RPC 2.0 message");
    return std::nullopt;
  }
  auto method = message.find("method");
  auto id = message.find("id");
  if (method == message.end()) return std::nullopt; // a response: the server sends no requests
  if (!method->is_string()) {
    replyError(id == message.end() ? json(nullptr) : *id, ErrorCode::InvalidRequest,
               "method must be a string");
    return std::nullopt;
  }
  json params = message.contains("params") ? message["params"] : json::object();
  if (id != message.end()) {
    if (!id->is_number_integer() && !id->is_string()) {
      replyError(nullptr, ErrorCode::InvalidRequest, "id must be a number or a string");
      return std::nullopt;
    }
    handleRequest(*id, *method, params);
    return std::nullopt;
  }
  if (*method == "exit") return shutdownRequested_ ? 0 : 1;
  const LspBinder::NotificationHandler* handler = binder_.findNotification(*method);
  if (!handler || !initialized_) return std::nullopt; // unknown notifications are ignored
  try {
    (*handler)(params);
  } catch (const LspError& e) {
    std::cerr << "5rc-lsp: " << *method << ": " << e.message << "\n";
  } catch (const std::exception& e) {
    std::cerr << "5rc-lsp: " << *method << ": " << e.what() << "\n";
  }
  return std::nullopt;
}

void LspServer::handleRequest(const json& id, const std::string& method, const json& params) {
  if (takeCancelled(id)) return replyError(id, ErrorCode::RequestCancelled, "cancelled");
  if (!initialized_ && method != "initialize")
    return replyError(id, ErrorCode::ServerNotInitialized, "initialize first");
  if (shutdownRequested_) return replyError(id, ErrorCode::InvalidRequest, "shutting down");
  const LspBinder::RequestHandler* handler = binder_.findRequest(method);
  if (!handler) return replyError(id, ErrorCode::MethodNotFound, "unknown method " + method);
  try {
    reply(id, (*handler)(params));
  } catch (const LspError& e) {
    replyError(id, e.code, e.message);
  } catch (const std::exception& e) {
    replyError(id, ErrorCode::InternalError, e.what());
  }
}

bool LspServer::takeCancelled(const json& id) {
  std::lock_guard<std::mutex> lock(mutex_);
  return cancelled_.erase(id.dump()) > 0;
}

void LspServer::reply(const json& id, json result) {
  transport_.send({{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}});
}

void LspServer::replyError(const json& id, ErrorCode code, const std::string& message) {
  transport_.send({{"jsonrpc", "2.0"},
                   {"id", id},
                   {"error", {{"code", static_cast<int>(code)}, {"message", message}}}});
}

void LspServer::publishStaleDiagnostics() {
  for (const std::string& uri : workspace_.takeStale()) {
    std::shared_ptr<const Analysis> analysis = workspace_.analysis(uri);
    if (!analysis) continue;
    PublishDiagnosticsParams params{uri, workspace_.document(uri)->version,
                                    documentDiagnostics(*analysis)};
    transport_.send(
        {{"jsonrpc", "2.0"}, {"method", "textDocument/publishDiagnostics"}, {"params", params}});
  }
}

std::shared_ptr<const Analysis> LspServer::analysisFor(const std::string& uri) {
  std::shared_ptr<const Analysis> analysis = workspace_.analysis(uri);
  if (!analysis) throw LspError{ErrorCode::InvalidParams, "document not open: " + uri};
  return analysis;
}

json LspServer::onInitialize(const InitializeParams& params) {
  if (!params.stdlib.empty()) workspace_.setStdlibDir(params.stdlib);
  initialized_ = true;
  return {{"capabilities", capabilities()},
          {"serverInfo", {{"name", "5rc-lsp"}, {"version", "0.1.0"}}}};
}

json LspServer::onShutdown(const json&) {
  shutdownRequested_ = true;
  return nullptr;
}

void LspServer::onDidOpen(const DidOpenParams& p) {
  workspace_.open(p.textDocument.uri, p.textDocument.text, p.textDocument.version);
}

void LspServer::onDidChange(const DidChangeParams& p) {
  workspace_.change(p.textDocument.uri, p.contentChanges, p.version);
}

void LspServer::onDidClose(const DidCloseParams& p) {
  workspace_.close(p.textDocument.uri);
  transport_.send({{"jsonrpc", "2.0"},
                   {"method", "textDocument/publishDiagnostics"},
                   {"params", PublishDiagnosticsParams{p.textDocument.uri, std::nullopt, {}}}});
}

void LspServer::onDidSave(const DidSaveParams& p) {
  // Files importing the saved one may read it from disk.
  if (p.text) {
    const Document* doc = workspace_.document(p.textDocument.uri);
    if (doc) workspace_.change(p.textDocument.uri, {{std::nullopt, *p.text}}, doc->version);
  }
}

json LspServer::onHover(const TextDocumentPositionParams& p) {
  std::optional<MarkupHover> h = hover(*analysisFor(p.textDocument.uri), p.position);
  return h ? json(*h) : json(nullptr);
}

json LspServer::onCompletion(const TextDocumentPositionParams& p) {
  std::shared_ptr<const Analysis> analysis = workspace_.recentAnalysis(p.textDocument.uri);
  if (!analysis) throw LspError{ErrorCode::InvalidParams, "document not open"};
  return {
      {"isIncomplete", false},
      {"items", complete(*analysis, workspace_.document(p.textDocument.uri)->text, p.position)}};
}

json LspServer::onSignatureHelp(const TextDocumentPositionParams& p) {
  std::shared_ptr<const Analysis> analysis = workspace_.recentAnalysis(p.textDocument.uri);
  if (!analysis) throw LspError{ErrorCode::InvalidParams, "document not open"};
  return signatureHelp(*analysis, workspace_.document(p.textDocument.uri)->text, p.position);
}

json LspServer::onInlayHint(const RangeParams& p) {
  return inlayHints(*analysisFor(p.textDocument.uri), p.range);
}

json LspServer::onCodeLens(const DocumentParams& p) {
  return codeLenses(*analysisFor(p.textDocument.uri), p.textDocument.uri);
}

json LspServer::onCodeLensResolve(const json& lens) {
  const json* data = lens.is_object() && lens.contains("data") ? &lens["data"] : nullptr;
  if (!data || !data->is_object() || !data->value("uri", json()).is_string())
    throw LspError{ErrorCode::InvalidParams, "code lens without a document"};
  return resolveCodeLens(*analysisFor((*data)["uri"]), lens);
}

json LspServer::onWorkspaceSymbol(const json& params) {
  std::vector<std::shared_ptr<const Analysis>> analyses;
  for (const std::string& uri : workspace_.openUris())
    if (auto a = workspace_.recentAnalysis(uri)) analyses.push_back(std::move(a));
  std::string query = params.is_object() ? params.value("query", "") : "";
  return workspaceSymbols(analyses, query);
}

json LspServer::onDefinition(const TextDocumentPositionParams& p) {
  return definition(*analysisFor(p.textDocument.uri), p.position);
}

json LspServer::onReferences(const ReferenceParams& p) {
  return references(*analysisFor(p.textDocument.uri), p.position, p.includeDeclaration);
}

json LspServer::onRename(const RenameParams& p) {
  return rename(*analysisFor(p.textDocument.uri), p.position, p.newName);
}

json LspServer::onDocumentSymbol(const DocumentParams& p) {
  return documentSymbols(*analysisFor(p.textDocument.uri));
}

json LspServer::onFoldingRange(const DocumentParams& p) {
  return foldingRanges(*analysisFor(p.textDocument.uri));
}

json LspServer::onSemanticTokens(const DocumentParams& p) {
  return {{"data", semanticTokens(*analysisFor(p.textDocument.uri))}};
}

json LspServer::onFormatting(const DocumentParams& p) {
  const Document* doc = workspace_.document(p.textDocument.uri);
  if (!doc) throw LspError{ErrorCode::InvalidParams, "document not open"};
  return formatDocument(doc->path, doc->text);
}

json LspServer::onRangeFormatting(const RangeParams& p) {
  const Document* doc = workspace_.document(p.textDocument.uri);
  if (!doc) throw LspError{ErrorCode::InvalidParams, "document not open"};
  return formatRange(doc->path, doc->text, p.range);
}

json LspServer::onCodeAction(const CodeActionParams& p) {
  return codeActions(*analysisFor(p.textDocument.uri), p.textDocument.uri, p.range);
}

} // namespace fiver::lsp
