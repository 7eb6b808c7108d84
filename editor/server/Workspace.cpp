#include "editor/server/Workspace.h"

#include "editor/server/LineIndex.h"
#include "editor/server/Uri.h"

namespace fiver::lsp {

void Workspace::setStdlibDir(std::string dir) {
  stdlibDir_ = std::move(dir);
  invalidateAll();
}

void Workspace::open(const std::string& uri, std::string text, int version) {
  std::optional<std::string> path = pathFromUri(uri);
  if (!path) throw LspError{ErrorCode::InvalidParams, "not a file URI: " + uri};
  docs_[uri] = Entry{Document{uri, *path, version, std::move(text)}, nullptr, false, true};
  // Other documents may import this one.
  invalidateAll();
}

void Workspace::change(const std::string& uri, const std::vector<ContentChange>& changes,
                       int version) {
  auto it = docs_.find(uri);
  if (it == docs_.end()) throw LspError{ErrorCode::InvalidParams, "document not open: " + uri};
  std::string& text = it->second.doc.text;
  for (const ContentChange& c : changes) {
    if (!c.range) {
      text = c.text;
      continue;
    }
    LineIndex lines(text);
    size_t begin = lines.offsetAt(c.range->start);
    size_t end = std::max(begin, lines.offsetAt(c.range->end));
    text.replace(begin, end - begin, c.text);
  }
  it->second.doc.version = version;
  invalidateAll();
}

void Workspace::close(const std::string& uri) {
  docs_.erase(uri);
  invalidateAll();
}

const Document* Workspace::document(const std::string& uri) const {
  auto it = docs_.find(uri);
  return it == docs_.end() ? nullptr : &it->second.doc;
}

std::shared_ptr<const Analysis> Workspace::analysis(const std::string& uri) {
  auto it = docs_.find(uri);
  if (it == docs_.end()) return nullptr;
  Entry& e = it->second;
  if (!e.fresh) {
    if (e.analysis) replaced_.push_back(std::move(e.analysis));
    e.analysis =
        Analysis::build(e.doc.path, e.doc.text, stdlibDir_, buffers(), parses_, e.caches.get());
    e.fresh = true;
  }
  return e.analysis;
}

std::shared_ptr<const Analysis> Workspace::recentAnalysis(const std::string& uri) {
  auto it = docs_.find(uri);
  if (it == docs_.end()) return nullptr;
  return it->second.analysis ? it->second.analysis : analysis(uri);
}

std::vector<std::string> Workspace::takeStale() {
  std::vector<std::string> out;
  for (auto& [uri, e] : docs_)
    if (e.stale) {
      out.push_back(uri);
      e.stale = false;
    }
  return out;
}

std::vector<std::string> Workspace::openUris() const {
  std::vector<std::string> out;
  for (const auto& [uri, e] : docs_)
    out.push_back(uri);
  return out;
}

void Workspace::invalidateAll() {
  for (auto& [uri, e] : docs_) {
    e.fresh = false;
    e.stale = true;
  }
}

std::map<std::string, std::string> Workspace::buffers() const {
  std::map<std::string, std::string> out;
  for (const auto& [uri, e] : docs_)
    out[e.doc.path] = e.doc.text;
  return out;
}

} // namespace fiver::lsp
