// The language server: reads messages from a transport on one thread and
// handles them in order on another, so `$/cancelRequest` can reach requests
// still queued, and diagnostics are published only when the queue runs dry
// (a burst of edits is checked once). The table in the constructor is the
// whole protocol surface.
#pragma once

#include "editor/server/LspBinder.h"
#include "editor/server/Protocol.h"
#include "editor/server/Transport.h"
#include "editor/server/Workspace.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <set>
#include <string>

namespace fiver::lsp {

class LspServer {
public:
  // `stdlibDir` is the default; initializationOptions.stdlib overrides it.
  LspServer(Transport& transport, std::string stdlibDir = {});

  // Serves until `exit` or the end of input; returns the process exit code
  // (0 after a shutdown request, 1 otherwise).
  int run();

  // The capabilities sent in the initialize result.
  static json capabilities();

private:
  // Handles one incoming item; returns an exit code when the server must stop.
  std::optional<int> handle(const Incoming& item);
  std::optional<int> handleMessage(const json& message);
  void handleRequest(const json& id, const std::string& method, const json& params);
  void publishStaleDiagnostics();
  void reply(const json& id, json result);
  void replyError(const json& id, ErrorCode code, const std::string& message);
  bool takeCancelled(const json& id);
  std::shared_ptr<const Analysis> analysisFor(const std::string& uri);

  // Handlers.
  json onInitialize(const InitializeParams& params);
  void onInitialized(const json&) {}
  json onShutdown(const json&);
  void onDidOpen(const DidOpenParams& params);
  void onDidChange(const DidChangeParams& params);
  void onDidClose(const DidCloseParams& params);
  void onDidSave(const DidSaveParams& params);
  json onHover(const TextDocumentPositionParams& params);
  json onCompletion(const TextDocumentPositionParams& params);
  json onDefinition(const TextDocumentPositionParams& params);
  json onReferences(const ReferenceParams& params);
  json onRename(const RenameParams& params);
  json onDocumentSymbol(const DocumentParams& params);
  json onFoldingRange(const DocumentParams& params);
  json onSemanticTokens(const DocumentParams& params);
  json onFormatting(const DocumentParams& params);
  json onRangeFormatting(const RangeParams& params);
  json onInlayHint(const RangeParams& params);
  json onCodeLens(const DocumentParams& params);
  json onCodeLensResolve(const json& lens);
  json onCodeAction(const CodeActionParams& params);
  json onSignatureHelp(const TextDocumentPositionParams& params);
  json onWorkspaceSymbol(const json& params);

  Transport& transport_;
  LspBinder binder_;
  Workspace workspace_;
  bool initialized_ = false;
  bool shutdownRequested_ = false;

  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Incoming> queue_;
  std::set<std::string> cancelled_; // ids (as JSON text) cancelled while queued
};

} // namespace fiver::lsp
