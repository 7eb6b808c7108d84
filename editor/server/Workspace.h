// The open documents and their analyses, free of protocol concerns: text
// edits are applied here, and an analysis is rebuilt only when asked for
// after a change (so a burst of edits costs one check).
#pragma once

#include "editor/server/Analysis.h"
#include "editor/server/Protocol.h"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace fiver::lsp {

struct Document {
  std::string uri;
  std::string path;
  int version = 0;
  std::string text;
};

class Workspace {
public:
  explicit Workspace(std::string stdlibDir = {}) : stdlibDir_(std::move(stdlibDir)) {}
  void setStdlibDir(std::string dir);
  const std::string& stdlibDir() const { return stdlibDir_; }

  // Throws LspError for a URI that is not a file.
  void open(const std::string& uri, std::string text, int version);
  // Applies the changes in order (ranges in UTF-16 positions of the text as
  // it is when each change applies).
  void change(const std::string& uri, const std::vector<ContentChange>& changes, int version);
  void close(const std::string& uri);

  const Document* document(const std::string& uri) const;
  // The analysis of an open document, rebuilt if its text (or that of any
  // open document) changed since; null when the document is not open.
  std::shared_ptr<const Analysis> analysis(const std::string& uri);
  // The latest analysis even if the text changed since (what completion
  // needs: the names the program declares), built only if there is none.
  std::shared_ptr<const Analysis> recentAnalysis(const std::string& uri);
  // Documents whose diagnostics have not been published since they changed.
  std::vector<std::string> takeStale();
  std::vector<std::string> openUris() const;
  // Frees the analyses replaced since the last call: a large document's
  // takes milliseconds to free, better spent when no request waits.
  void dropReplaced() { replaced_.clear(); }

private:
  struct Entry {
    Document doc;
    std::shared_ptr<const Analysis> analysis;
    bool fresh = false; // analysis matches the current texts
    bool stale = true;  // diagnostics not yet published
    std::shared_ptr<DocumentCaches> caches = std::make_shared<DocumentCaches>();
  };
  void invalidateAll();
  std::map<std::string, std::string> buffers() const;

  std::string stdlibDir_;
  std::map<std::string, Entry> docs_;
  ParseCache parses_; // shared by every document: the stdlib is parsed once
  std::vector<std::shared_ptr<const Analysis>> replaced_;
};

} // namespace fiver::lsp
